//! Where the bytes JSON escapes are: a control character, `"` or `\`.
//!
//! Found 64 bytes at a time, as a mask of one bit per byte, so that the
//! position of each is one count of trailing zeros. In prose with a line
//! break every line most blocks hold one, and finding it within its block
//! was the larger part of writing or reading such a string byte by byte
//! (docs/performance.md, "Escapes found 64 bytes at a time").

/// Bytes tested together.
pub(super) const BLOCK: usize = 64;

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

/// The mask of the block at `from`: past the end, bytes count as not
/// escaped.
#[inline]
fn mask_at(bytes: &[u8], from: usize) -> u64 {
    let rest = bytes.get(from..).unwrap_or_default();
    match rest.first_chunk::<BLOCK>() {
        Some(block) => block_mask(block),
        None => {
            let mut padded = [b' '; BLOCK];
            padded[..rest.len()].copy_from_slice(rest);
            block_mask(&padded)
        }
    }
}

/// Bit `i` set when JSON escapes byte `i`: four SSE2 compares of 16 bytes
/// and their byte masks.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline]
fn block_mask(block: &[u8; BLOCK]) -> u64 {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, max_u8_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i,
    };
    let quote = set_splat_i8_m128i(b'"'.cast_signed());
    let backslash = set_splat_i8_m128i(b'\\'.cast_signed());
    let last_control = set_splat_i8_m128i(0x1f);
    let (lanes, _) = block.as_chunks::<16>();
    lanes.iter().enumerate().fold(0, |mask, (index, lane)| {
        let bytes = load_unaligned_m128i(lane);
        // Unsigned `byte <= 0x1f` is `max(byte, 0x1f) == 0x1f`.
        let control = cmp_eq_mask_i8_m128i(max_u8_m128i(bytes, last_control), last_control);
        let special = bitor_m128i(
            cmp_eq_mask_i8_m128i(bytes, quote),
            cmp_eq_mask_i8_m128i(bytes, backslash),
        );
        let lane_mask = move_mask_i8_m128i(bitor_m128i(control, special)).cast_unsigned();
        mask | (u64::from(lane_mask) << (index * 16))
    })
}

#[cfg(not(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
)))]
use portable::block_mask;

/// The scan on other processors (and, in tests, beside the SSE2 one).
#[cfg(any(
    test,
    not(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))
))]
mod portable {
    use super::BLOCK;

    /// Whether JSON escapes `byte`. The operators do not short-circuit, so
    /// that a block's test is vectorized.
    #[inline]
    pub(super) fn is_escaped(byte: u8) -> bool {
        (byte < 0x20) | (byte == b'"') | (byte == b'\\')
    }

    /// Bit `i` set when JSON escapes byte `i`: a block without any is told
    /// by one vectorized test; the mask of one with some is packed eight
    /// bytes at a time.
    #[inline]
    pub(super) fn block_mask(block: &[u8; BLOCK]) -> u64 {
        if !block
            .iter()
            .fold(false, |any, &byte| any | is_escaped(byte))
        {
            return 0;
        }
        let (words, _) = block.as_chunks::<8>();
        words.iter().enumerate().fold(0, |mask, (index, word)| {
            let flags = word.map(|byte| u8::from(is_escaped(byte)));
            // Each byte's flag moved to bit `i` of the top byte.
            let packed = u64::from_le_bytes(flags).wrapping_mul(0x0102_0408_1020_4080) >> 56;
            mask | (packed << (index * 8))
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
        fn both_block_masks_agree(
            block in proptest::array::uniform32(prop_oneof![3 => any::<u8>(), 1 => Just(b'"'), 1 => Just(b'\\'), 1 => 0u8..0x20]),
            other in proptest::array::uniform32(any::<u8>()),
        ) {
            let mut whole = [0u8; BLOCK];
            whole[..32].copy_from_slice(&block);
            whole[32..].copy_from_slice(&other);
            let expected = whole.iter().enumerate().fold(0u64, |mask, (index, &byte)| mask | (u64::from(is_escaped(byte)) << index));
            prop_assert_eq!(portable::block_mask(&whole), expected);
            prop_assert_eq!(block_mask(&whole), expected);
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
