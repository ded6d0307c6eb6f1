//! Where the bytes JSON escapes are: a control character, `"` or `\`.
//!
//! Found 64 bytes at a time, as a mask of one bit per byte, so that the
//! position of each is one count of trailing zeros. In prose with a line
//! break every line most blocks hold one, and finding it within its block
//! was the larger part of writing or reading such a string byte by byte
//! (docs/performance.md, "Escapes found 64 bytes at a time").

/// Bytes tested together.
const BLOCK: usize = 64;

/// The positions of the bytes JSON escapes, from a start on, in order.
pub(super) struct Escapes<'a> {
    bytes: &'a [u8],
    /// Where the block `mask` covers starts.
    block: usize,
    /// One bit per byte of the block still to report.
    mask: u64,
}

impl<'a> Escapes<'a> {
    /// The escaped bytes of `bytes` at or after `from`.
    #[inline]
    pub(super) fn new(bytes: &'a [u8], from: usize) -> Self {
        Escapes {
            bytes,
            block: from,
            mask: mask_at(bytes, from),
        }
    }

    /// Goes on from `from` (past the escape sequence just read), which must
    /// not be before the last position reported.
    #[inline]
    pub(super) fn skip_to(&mut self, from: usize) {
        let within = from - self.block;
        if within < BLOCK {
            self.mask &= u64::MAX << within;
        } else {
            *self = Escapes::new(self.bytes, from);
        }
    }
}

impl Iterator for Escapes<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.block += BLOCK;
            if self.block >= self.bytes.len() {
                return None;
            }
            self.mask = mask_at(self.bytes, self.block);
        }
        let at = self.block + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(at)
    }
}

/// The first byte JSON escapes at or after `from`: one lane tested first,
/// where the end of a key or a short string usually is.
#[inline]
pub(super) fn first_escape(bytes: &[u8], from: usize) -> Option<usize> {
    if let Some(lane) = bytes.get(from..).and_then(<[u8]>::first_chunk::<LANE>) {
        let mask = lane_mask(lane);
        if mask != 0 {
            return Some(from + mask.trailing_zeros() as usize);
        }
        return Escapes::new(bytes, from + LANE).next();
    }
    Escapes::new(bytes, from).next()
}

/// The mask of the block at `from`, which ends early at the end of
/// `bytes`. A whole block is tested at once first, as most blocks hold
/// no escape; the lanes after the last whole block are tested one by
/// one, the last short one padded with a byte JSON does not escape.
#[inline]
fn mask_at(bytes: &[u8], from: usize) -> u64 {
    let rest = bytes.get(from..).unwrap_or_default();
    if let Some(block) = rest.first_chunk::<BLOCK>() {
        return block_mask(block);
    }
    let (lanes, tail) = rest.as_chunks::<LANE>();
    let mut mask = lanes.iter().enumerate().fold(0, |mask, (index, lane)| {
        mask | (u64::from(lane_mask(lane)) << (index * LANE))
    });
    if !tail.is_empty() {
        let mut padded = [b' '; LANE];
        padded[..tail.len()].copy_from_slice(tail);
        mask |= u64::from(lane_mask(&padded)) << (lanes.len() * LANE);
    }
    mask
}

/// The mask of a whole block, put together only when some lane of it
/// holds an escape.
#[inline]
fn block_mask(block: &[u8; BLOCK]) -> u64 {
    let (lanes, _) = block.as_chunks::<LANE>();
    let mut flags = [Flags::default(); BLOCK / LANE];
    let mut any = Flags::default();
    for (slot, lane) in flags.iter_mut().zip(lanes) {
        *slot = lane_flags(lane);
        any = any.or(*slot);
    }
    if any.is_clear() {
        return 0;
    }
    flags.iter().enumerate().fold(0, |mask, (index, flags)| {
        mask | (u64::from(flags.mask()) << (index * LANE))
    })
}

/// Bit `i` set when JSON escapes byte `i` of the lane.
#[inline]
fn lane_mask(lane: &[u8; LANE]) -> u16 {
    lane_flags(lane).mask()
}

/// Bytes tested by one compare.
const LANE: usize = 16;

#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
use sse2::{Flags, lane_flags};

/// The scan with SSE2, through `safe_arch`'s safe functions.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
mod sse2 {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, m128i, max_u8_m128i,
        move_mask_i8_m128i, set_splat_i8_m128i,
    };

    use super::LANE;

    /// A lane's bytes JSON escapes, as all-ones bytes in a vector: kept as
    /// one, so that a block's four lanes are told clear by one byte mask.
    #[derive(Clone, Copy, Default)]
    pub(super) struct Flags(m128i);

    /// Three SSE2 compares.
    #[inline]
    pub(super) fn lane_flags(lane: &[u8; LANE]) -> Flags {
        let bytes = load_unaligned_m128i(lane);
        let last_control = set_splat_i8_m128i(0x1f);
        // Unsigned `byte <= 0x1f` is `max(byte, 0x1f) == 0x1f`.
        let control = cmp_eq_mask_i8_m128i(max_u8_m128i(bytes, last_control), last_control);
        let special = bitor_m128i(
            cmp_eq_mask_i8_m128i(bytes, set_splat_i8_m128i(b'"'.cast_signed())),
            cmp_eq_mask_i8_m128i(bytes, set_splat_i8_m128i(b'\\'.cast_signed())),
        );
        Flags(bitor_m128i(control, special))
    }

    impl Flags {
        #[inline]
        pub(super) fn or(self, other: Flags) -> Flags {
            Flags(bitor_m128i(self.0, other.0))
        }

        #[inline]
        pub(super) fn is_clear(self) -> bool {
            move_mask_i8_m128i(self.0) == 0
        }

        /// Bit `i` set when byte `i` is flagged.
        #[inline]
        pub(super) fn mask(self) -> u16 {
            // The mask's 16 bits, in the low half of an i32.
            let mask = move_mask_i8_m128i(self.0).cast_unsigned();
            u16::try_from(mask).unwrap_or(u16::MAX)
        }
    }
}

#[cfg(not(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
)))]
use portable::{Flags, lane_flags};

/// The scan on other processors (and, in tests, beside the SSE2 one).
#[cfg(any(
    test,
    not(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))
))]
mod portable {
    use super::LANE;

    /// Whether JSON escapes `byte`. The operators do not short-circuit, so
    /// that a lane's test is vectorized.
    #[inline]
    pub(super) fn is_escaped(byte: u8) -> bool {
        (byte < 0x20) | (byte == b'"') | (byte == b'\\')
    }

    /// A lane's bytes JSON escapes, as its mask.
    #[derive(Clone, Copy, Default)]
    pub(super) struct Flags(u16);

    impl Flags {
        #[inline]
        pub(super) fn or(self, other: Flags) -> Flags {
            Flags(self.0 | other.0)
        }

        #[inline]
        pub(super) fn is_clear(self) -> bool {
            self.0 == 0
        }

        #[inline]
        pub(super) fn mask(self) -> u16 {
            self.0
        }
    }

    #[inline]
    pub(super) fn lane_flags(lane: &[u8; LANE]) -> Flags {
        Flags(lane_mask(lane))
    }

    /// Bit `i` set when JSON escapes byte `i`: a lane without any is told
    /// by one vectorized test; the mask of one with some is packed eight
    /// bytes at a time.
    #[inline]
    pub(super) fn lane_mask(lane: &[u8; LANE]) -> u16 {
        if !lane.iter().fold(false, |any, &byte| any | is_escaped(byte)) {
            return 0;
        }
        let (words, _) = lane.as_chunks::<8>();
        words.iter().enumerate().fold(0, |mask, (index, word)| {
            let flags = word.map(|byte| u8::from(is_escaped(byte)));
            // Each byte's flag moved to bit `i` of the top byte.
            let packed = u64::from_le_bytes(flags).wrapping_mul(0x0102_0408_1020_4080) >> 56;
            mask | (u16::try_from(packed).unwrap_or(0) << (index * 8))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::portable::is_escaped;
    use super::*;
    use proptest::prelude::*;

    fn every_escape(bytes: &[u8], from: usize) -> Vec<usize> {
        (from..bytes.len())
            .filter(|&at| is_escaped(bytes[at]))
            .collect()
    }

    proptest! {
        #[test]
        fn both_lane_masks_agree(
            lane in proptest::array::uniform16(prop_oneof![3 => any::<u8>(), 1 => Just(b'"'), 1 => Just(b'\\'), 1 => 0u8..0x20]),
        ) {
            let expected = lane.iter().enumerate().fold(0u16, |mask, (index, &byte)| mask | (u16::from(is_escaped(byte)) << index));
            prop_assert_eq!(portable::lane_flags(&lane).mask(), expected);
            prop_assert_eq!(lane_mask(&lane), expected);
            // Told clear as a block is, with another lane's flags.
            let clear = portable::Flags::default();
            prop_assert_eq!(portable::lane_flags(&lane).or(clear).is_clear(), expected == 0);
            prop_assert_eq!(lane_flags(&lane).or(Flags::default()).is_clear(), expected == 0);
        }

        #[test]
        fn finds_the_first_escaped_byte(
            bytes in proptest::collection::vec(prop_oneof![6 => 0x20u8..0x80, 1 => Just(b'"'), 1 => 0u8..0x20], 0..100),
            from in 0usize..100,
        ) {
            let from = from.min(bytes.len());
            prop_assert_eq!(first_escape(&bytes, from), every_escape(&bytes, from).first().copied());
        }

        #[test]
        fn finds_every_escaped_byte_in_order(
            bytes in proptest::collection::vec(
                prop_oneof![4 => 0x20u8..0x80, 1 => Just(b'"'), 1 => Just(b'\\'), 1 => 0u8..0x20, 1 => 0x80u8..=0xff],
                0..300,
            ),
            from in 0usize..300,
        ) {
            let from = from.min(bytes.len());
            prop_assert_eq!(Escapes::new(&bytes, from).collect::<Vec<_>>(), every_escape(&bytes, from));
        }

        #[test]
        fn goes_on_from_where_it_is_told(
            bytes in proptest::collection::vec(prop_oneof![3 => 0x20u8..0x80, 1 => Just(b'\\')], 0..300),
            skips in proptest::collection::vec(0usize..70, 0..10),
        ) {
            let mut escapes = Escapes::new(&bytes, 0);
            let mut seen = 0;
            for skip in skips {
                let Some(at) = escapes.next() else { break };
                prop_assert_eq!(Some(at), every_escape(&bytes, seen).first().copied());
                seen = (at + 1 + skip).min(bytes.len());
                escapes.skip_to(seen);
            }
        }
    }
}
