//! The integers of a range that one integral divisor divides, told apart
//! by a multiplication instead of a division.

/// The multiples of `d` from `start` on, `count` of them, as an integer
/// check of three operations: `x` is one of them exactly when
/// `((x - start) * inverse).rotate_right(shift) < count`, in wrapping
/// 64-bit arithmetic.
///
/// With `d = 2^shift * q`, `q` odd and `inverse` its inverse modulo 2^64
/// (Granlund and Montgomery; Hacker's Delight, 10-17), the map
/// `y -> (y * inverse).rotate_right(shift)` is one to one on `0..2^64`
/// and sends each multiple `d * m` to `m` (`y * inverse` is then
/// `2^shift * m`, below 2^64). So the multiples of `d` take the values up
/// to `(2^64 - 1) / d`, and every other `y` a value above that. With
/// `y = x - start`, where `start` is a multiple of `d`:
///
/// - `x >= start`: `y` is a multiple of `d` exactly when `x` is, and then
///   maps to `(x - start) / d`, below `count` exactly when `x` is at most
///   the range's last multiple;
/// - `x < start`: `y` wraps to `x - start + 2^64`, which maps either above
///   `(2^64 - 1) / d`, or (a multiple of `d`) to at least
///   `(2^64 - start) / d`, above the range's last index since its last
///   multiple is below 2^64.
///
/// `count` is at most `(2^64 - 1) / d + 1`, so nothing else is let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stride {
    start: u64,
    inverse: u64,
    shift: u32,
    count: u64,
}

impl Stride {
    /// Lets nothing in.
    pub(super) const NONE: Stride = Stride {
        start: 0,
        inverse: 1,
        shift: 0,
        count: 0,
    };

    /// The multiples of `divisor` in `low..=high`; [`Stride::NONE`] when
    /// there are none, or the divisor is 0.
    pub(super) fn new(low: u64, high: u64, divisor: u64) -> Stride {
        if divisor == 0 || low > high {
            return Stride::NONE;
        }
        let Some(start) = low.div_ceil(divisor).checked_mul(divisor) else {
            return Stride::NONE;
        };
        let last = high / divisor * divisor;
        if start > last {
            return Stride::NONE;
        }
        let shift = divisor.trailing_zeros();
        let odd = divisor >> shift;
        // At most 2^64 - 1 multiples after the first: only `0..=u64::MAX`
        // with divisor 1 has one more, and it is told apart by no check.
        let Some(count) = ((last - start) / divisor).checked_add(1) else {
            return Stride::NONE;
        };
        Stride {
            start,
            inverse: inverse(odd),
            shift,
            count,
        }
    }

    #[inline(always)]
    pub(super) fn contains(&self, value: u64) -> bool {
        value
            .wrapping_sub(self.start)
            .wrapping_mul(self.inverse)
            .rotate_right(self.shift)
            < self.count
    }
}

/// The inverse of an odd `q` modulo 2^64, by Newton's iteration: `q` is
/// its own inverse modulo 8 (3 bits), and each step doubles the bits that
/// are right (6, 12, 24, 48, 96).
fn inverse(odd: u64) -> u64 {
    let mut x = odd;
    for _ in 0..5 {
        x = x.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(x)));
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(low: u64, high: u64, divisor: u64, value: u64) -> bool {
        low <= value && value <= high && value.is_multiple_of(divisor)
    }

    #[test]
    fn inverses_are_inverses() {
        for odd in (1..10_000u64)
            .step_by(2)
            .chain([u64::MAX, u64::MAX - 2, 1 << 63 | 1])
        {
            assert_eq!(odd.wrapping_mul(inverse(odd)), 1, "{odd}");
        }
    }

    #[test]
    fn strides_decide_like_a_remainder() {
        let divisors = [
            1,
            2,
            3,
            5,
            7,
            10,
            12,
            64,
            1000,
            1 << 32,
            (1 << 53) - 1,
            1 << 53,
            u64::MAX / 3,
            1 << 63,
            u64::MAX,
        ];
        let ranges = [
            (0, u64::MAX),
            (0, 1 << 53),
            (1, 100),
            (3, 3),
            (4, 3),
            (17, 1_000_000),
            (u64::MAX - 1000, u64::MAX),
            (1 << 63, u64::MAX),
        ];
        let mut values: Vec<u64> = (0..3000).collect();
        for shift in 0..64 {
            let power = 1u64 << shift;
            values.extend([power - 1, power, power + 1]);
        }
        for around in [u64::MAX, 1 << 53, 1 << 63, 1_000_000, u64::MAX / 3 * 2] {
            values.extend((0..40).map(|n| around.wrapping_sub(n)));
            values.extend((1..40).map(|n| around.wrapping_add(n)));
        }
        for divisor in divisors {
            for (low, high) in ranges {
                let stride = Stride::new(low, high, divisor);
                // The one range with no stride (below).
                let whole = divisor == 1 && (low, high) == (0, u64::MAX);
                for &value in &values {
                    for value in [value, value.wrapping_mul(divisor)] {
                        assert_eq!(
                            stride.contains(value),
                            naive(low, high, divisor, value) && !whole,
                            "{value} by {divisor} in {low}..={high}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn strides_with_no_multiple_let_nothing_in() {
        for stride in [
            Stride::new(5, 9, 10),
            Stride::new(9, 5, 1),
            Stride::new(1, 100, 0),
            Stride::new(u64::MAX - 5, u64::MAX, 1 << 63),
            Stride::NONE,
        ] {
            for value in [0, 1, 5, 9, 10, 1 << 63, u64::MAX] {
                assert!(!stride.contains(value), "{value} in {stride:?}");
            }
        }
        // The whole of `u64` by 1 has one value too many for `count`: no
        // stride, and the caller's full check decides.
        assert_eq!(Stride::new(0, u64::MAX, 1), Stride::NONE);
        assert_eq!(Stride::new(1, u64::MAX, 1).count, u64::MAX);
    }
}
