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
/// `bytes`: its whole lanes of 16 bytes are tested together, the bytes
/// after them one by one.
#[inline]
fn mask_at(bytes: &[u8], from: usize) -> u64 {
    let rest = bytes.get(from..).unwrap_or_default();
    if let Some(block) = rest.first_chunk::<BLOCK>() {
        let (lanes, _) = block.as_chunks::<LANE>();
        return lanes.iter().enumerate().fold(0, |mask, (index, lane)| {
            mask | (u64::from(lane_mask(lane)) << (index * LANE))
        });
    }
    let (lanes, tail) = rest.as_chunks::<LANE>();
    let mut mask = lanes.iter().enumerate().fold(0, |mask, (index, lane)| {
        mask | (u64::from(lane_mask(lane)) << (index * LANE))
    });
    let tail_start = lanes.len() * LANE;
    for (index, &byte) in tail.iter().enumerate() {
        mask |= u64::from(is_escaped(byte)) << (tail_start + index);
    }
    mask
}

/// Bytes tested by one compare.
const LANE: usize = 16;

/// Whether JSON escapes `byte`. The operators do not short-circuit, so
/// that a lane's test is vectorized where SSE2 is not used.
#[inline]
fn is_escaped(byte: u8) -> bool {
    (byte < 0x20) | (byte == b'"') | (byte == b'\\')
}

/// Bit `i` set when JSON escapes byte `i` of the lane: three SSE2
/// compares and the byte mask.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline]
fn lane_mask(lane: &[u8; LANE]) -> u16 {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, max_u8_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i,
    };
    let bytes = load_unaligned_m128i(lane);
    let last_control = set_splat_i8_m128i(0x1f);
    // Unsigned `byte <= 0x1f` is `max(byte, 0x1f) == 0x1f`.
    let control = cmp_eq_mask_i8_m128i(max_u8_m128i(bytes, last_control), last_control);
    let special = bitor_m128i(
        cmp_eq_mask_i8_m128i(bytes, set_splat_i8_m128i(b'"'.cast_signed())),
        cmp_eq_mask_i8_m128i(bytes, set_splat_i8_m128i(b'\\'.cast_signed())),
    );
    // The mask's 16 bits, in the low half of an i32.
    let mask = move_mask_i8_m128i(bitor_m128i(control, special)).cast_unsigned();
    u16::try_from(mask).unwrap_or(u16::MAX)
}

#[cfg(not(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
)))]
use portable::lane_mask;

/// The scan on other processors (and, in tests, beside the SSE2 one).
#[cfg(any(
    test,
    not(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))
))]
mod portable {
    use super::{LANE, is_escaped};

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
            prop_assert_eq!(portable::lane_mask(&lane), expected);
            prop_assert_eq!(lane_mask(&lane), expected);
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
