//! The nodes of a plan, and the checks of a scalar against its node.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::sync::Arc;

use serde_json::{Number, Value};

use super::stride::Stride;

pub(super) type NodeId = usize;

pub(super) const NULL: u8 = 1;
pub(super) const BOOLEAN: u8 = 2;
pub(super) const INTEGER: u8 = 4;
/// `number` also allows integers; [`INTEGER`] alone does not allow 1.5.
pub(super) const NUMBER: u8 = 8;
pub(super) const STRING: u8 = 16;
pub(super) const ARRAY: u8 = 32;
pub(super) const OBJECT: u8 = 64;
pub(super) const ALL_TYPES: u8 = NULL | BOOLEAN | INTEGER | NUMBER | STRING | ARRAY | OBJECT;

/// Keywords that never change whether a value is valid.
pub(super) const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$comment",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

#[derive(Debug, Clone, Copy)]
pub(super) enum Additional {
    Any,
    Deny,
    Node(NodeId),
}

#[derive(Debug, Clone)]
pub(super) struct Tagged {
    pub(super) tag: String,
    pub(super) branches: Vec<Branch>,
}

#[derive(Debug, Clone)]
pub(super) struct Branch {
    /// The tag's value that picks this branch.
    pub(super) value: String,
    /// The branch's object node.
    pub(super) node: NodeId,
    /// The tag's index among the node's properties.
    pub(super) tag_index: usize,
}

/// A data variant of an externally tagged enum: `{"<name>": <value>}`.
#[derive(Debug, Clone)]
pub(super) struct Variant {
    pub(super) name: String,
    /// The node of the value.
    pub(super) node: NodeId,
}

/// One of several alternatives told apart by a string, read as serde reads
/// that string.
pub(super) trait Choice {
    fn name(&self) -> &str;
}

impl Choice for Branch {
    fn name(&self) -> &str {
        &self.value
    }
}

impl Choice for Variant {
    fn name(&self) -> &str {
        &self.name
    }
}

#[derive(Debug, Clone)]
pub(super) struct Node {
    /// `{"$ref": ..}`: this node is another one.
    pub(super) alias: Option<NodeId>,
    /// `anyOf: [X, {"type": "null"}]`: null, or what X allows.
    pub(super) nullable: Option<NodeId>,
    pub(super) types: u8,
    pub(super) string_enum: Option<Vec<String>>,
    pub(super) min_length: Option<u64>,
    pub(super) max_length: Option<u64>,
    pub(super) minimum: Option<Num>,
    pub(super) maximum: Option<Num>,
    pub(super) exclusive_minimum: Option<Num>,
    pub(super) exclusive_maximum: Option<Num>,
    pub(super) items: Option<NodeId>,
    /// `prefixItems`: the nodes of a tuple's first items (`items` applies
    /// to the rest).
    pub(super) prefix_items: Vec<NodeId>,
    pub(super) min_items: Option<u64>,
    pub(super) max_items: Option<u64>,
    pub(super) properties: Vec<(String, NodeId)>,
    /// Per property, its node resolved as in [`Plan::resolved`].
    pub(super) property_targets: Vec<(NodeId, bool)>,
    /// Bit i: `properties[i]` is required.
    pub(super) required: u64,
    pub(super) additional: Additional,
    /// `maxProperties`, `u64::MAX` when there is none.
    pub(super) max_properties: u64,
    pub(super) tagged: Option<Tagged>,
    /// The data variants of an externally tagged enum (its unit variants
    /// are `string_enum`).
    pub(super) variants: Box<[Variant]>,
    /// The integers serde_json reads as `u64` that the node allows, as an
    /// inclusive range; empty (low above high) when it allows none.
    pub(super) unsigned_range: (u64, u64),
    /// The same for the negative integers, which serde_json reads as `i64`.
    pub(super) signed_range: (i64, i64),
    /// Whether every float is allowed: `number`, with no bound and no enum.
    pub(super) any_float: bool,
    /// `2^k` for a `number` node whose only constraint on floats is one
    /// divisor `2^-k` (see [`Divisor::Dyadic`]): its sure yes checked
    /// inline; NaN, which lets nothing in, for any other node.
    pub(super) float_scale: f64,
    /// Byte lengths at which any string is accepted without counting its
    /// code points; empty when strings need the full check.
    pub(super) plain_string_bytes: (u64, u64),
    /// `pattern`s and asserted `format`s, each decided as the contract's
    /// validator decides it.
    pub(super) string_checks: Vec<StringCheck>,
    /// `multipleOf` (several under `allOf`): integers are then checked out
    /// of line, against `divisible_ranges`, and `unsigned_range` and
    /// `signed_range` are left empty.
    pub(super) multiple_of: Vec<f64>,
    /// The integer ranges of a node with `multipleOf`.
    pub(super) divisible_ranges: ((u64, u64), (i64, i64)),
    /// The unsigned integers a node with one integral divisor allows
    /// (none for any other node): checked inline when `unsigned_range`
    /// says no, before the out-of-line check.
    pub(super) unsigned_stride: Stride,
    /// `multiple_of`, each divisor sorted by how it is checked, once every
    /// node is compiled.
    pub(super) divisors: Vec<Divisor>,
    /// `uniqueItems: true`.
    pub(super) unique_items: bool,
    /// The branches of a union told apart by their JSON types (an untagged
    /// enum): merged into this node once every node is compiled.
    pub(super) union: Vec<NodeId>,
    /// `allOf`: nodes whose constraints are added to this one's once every
    /// node is compiled.
    pub(super) all_of: Vec<NodeId>,
}

/// One check of a string beyond its length and enum.
#[derive(Debug, Clone)]
pub(super) enum StringCheck {
    /// `pattern`, translated from ECMA 262 and compiled by the same code
    /// and the same engine as the validator's.
    Pattern(regex::Regex),
    /// A `pattern` that is an anchored run of ASCII classes, matched
    /// without the regex engine (`classes`).
    Classes(super::classes::ClassRun),
    /// A `format` the plan checks by the validator's rule for it.
    Format(fn(&str) -> bool),
    /// Any other `format` (`regex`): a validator of that keyword alone, built with
    /// the contract validator's options.
    Validator(Arc<jsonschema::Validator>),
}

thread_local! {
    /// The string a [`StringCheck::Validator`] is given, reused so that a
    /// check does not allocate.
    static SCRATCH: RefCell<Value> = const { RefCell::new(Value::String(String::new())) };
}

/// Strings longer than this get a value of their own rather than growing
/// the scratch string for good.
const SCRATCH_MAX: usize = 4096;

impl StringCheck {
    fn accepts(&self, text: &str) -> bool {
        match self {
            StringCheck::Pattern(regex) => regex.is_match(text),
            StringCheck::Classes(run) => run.is_match(text),
            StringCheck::Format(check) => check(text),
            StringCheck::Validator(validator) => {
                SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
                    Ok(mut value) if text.len() <= SCRATCH_MAX => {
                        if let Value::String(buffer) = &mut *value {
                            buffer.clear();
                            buffer.push_str(text);
                        }
                        validator.is_valid(&value)
                    }
                    _ => validator.is_valid(&Value::String(text.to_owned())),
                })
            }
        }
    }
}

impl Node {
    pub(super) fn new() -> Node {
        Node {
            alias: None,
            nullable: None,
            types: ALL_TYPES,
            string_enum: None,
            min_length: None,
            max_length: None,
            minimum: None,
            maximum: None,
            exclusive_minimum: None,
            exclusive_maximum: None,
            items: None,
            prefix_items: Vec::new(),
            min_items: None,
            max_items: None,
            properties: Vec::new(),
            property_targets: Vec::new(),
            required: 0,
            additional: Additional::Any,
            max_properties: u64::MAX,
            tagged: None,
            variants: Box::default(),
            unsigned_range: (1, 0),
            signed_range: (0, -1),
            any_float: false,
            float_scale: f64::NAN,
            plain_string_bytes: (1, 0),
            string_checks: Vec::new(),
            multiple_of: Vec::new(),
            divisible_ranges: ((1, 0), (0, -1)),
            unsigned_stride: Stride::NONE,
            divisors: Vec::new(),
            unique_items: false,
            union: Vec::new(),
            all_of: Vec::new(),
        }
    }
}

/// The integers a node allows, as one inclusive range (empty when `low`
/// is above `high`). A bound that is not an integer still gives an exact
/// integer range: `n >= b` is `n >= ceil(b)`, `n > b` is
/// `n >= floor(b) + 1`, and the same for the upper bounds.
pub(super) fn integer_range(node: &Node) -> (i128, i128) {
    const EMPTY: (i128, i128) = (1, 0);
    if node.types & (INTEGER | NUMBER) == 0 {
        return EMPTY;
    }
    let mut low = i128::MIN;
    let mut high = i128::MAX;
    for (bound, is_lower, exclusive) in [
        (node.minimum, true, false),
        (node.exclusive_minimum, true, true),
        (node.maximum, false, false),
        (node.exclusive_maximum, false, true),
    ] {
        let Some(bound) = bound else { continue };
        // No number compares with NaN, so nothing is allowed.
        let Some((floor, ceil)) = bound.floor_ceil() else {
            return EMPTY;
        };
        match (is_lower, exclusive) {
            (true, false) => low = low.max(ceil),
            (true, true) => low = low.max(floor.saturating_add(1)),
            (false, false) => high = high.min(floor),
            (false, true) => high = high.min(ceil.saturating_sub(1)),
        }
    }
    (low, high)
}

/// `low..=high` as a range of `N`, or `empty` when an end does not fit
/// (the caller has clamped each end toward `N`'s range) or `low` is above
/// `high`.
pub(super) fn within<N: TryFrom<i128> + PartialOrd>(
    low: i128,
    high: i128,
    empty: (N, N),
) -> (N, N) {
    match (N::try_from(low), N::try_from(high)) {
        (Ok(low), Ok(high)) if low <= high => (low, high),
        _ => empty,
    }
}

/// The byte lengths that settle a string's length constraints on their
/// own: a UTF-8 string has at most as many code points as bytes, and at
/// least a quarter as many.
pub(super) fn plain_string_bytes(node: &Node) -> (u64, u64) {
    if node.types & STRING == 0 || node.string_enum.is_some() || !node.string_checks.is_empty() {
        return (1, 0);
    }
    let low = node.min_length.map_or(0, |min| min.saturating_mul(4));
    let high = node.max_length.unwrap_or(u64::MAX);
    (low, high)
}

/// A JSON number, compared exactly.
#[derive(Debug, Clone, Copy)]
pub(super) enum Num {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

impl Num {
    #[cfg(test)]
    pub(super) fn from_i128(value: i128) -> Num {
        match (u64::try_from(value), i64::try_from(value)) {
            (Ok(n), _) => Num::Unsigned(n),
            (_, Ok(n)) => Num::Signed(n),
            _ => Num::Float(value as f64),
        }
    }

    pub(super) fn from_json(number: &Number) -> Num {
        if let Some(n) = number.as_u64() {
            Num::Unsigned(n)
        } else if let Some(n) = number.as_i64() {
            Num::Signed(n)
        } else {
            Num::Float(number.as_f64().unwrap_or(f64::NAN))
        }
    }

    /// The greatest integer at most and the least integer at least this
    /// number, saturated beyond ±1e38 (far outside every 64-bit value);
    /// `None` for NaN.
    pub(super) fn floor_ceil(self) -> Option<(i128, i128)> {
        match self {
            Num::Unsigned(n) => Some((i128::from(n), i128::from(n))),
            Num::Signed(n) => Some((i128::from(n), i128::from(n))),
            Num::Float(f) if f.is_nan() => None,
            Num::Float(f) if f >= 1.0e38 => Some((i128::MAX, i128::MAX)),
            Num::Float(f) if f <= -1.0e38 => Some((i128::MIN, i128::MIN)),
            // Exact: below 1e38 every integral f64 is an i128.
            Num::Float(f) => Some((f.floor() as i128, f.ceil() as i128)),
        }
    }

    pub(super) fn integer(self) -> Option<i128> {
        match self {
            Num::Unsigned(n) => Some(i128::from(n)),
            Num::Signed(n) => Some(i128::from(n)),
            Num::Float(_) => None,
        }
    }

    pub(super) fn compare(self, other: Num) -> Option<Ordering> {
        match (self, other) {
            (Num::Float(a), Num::Float(b)) => a.partial_cmp(&b),
            (Num::Float(a), b) => compare_integer_float(b.integer()?, a).map(Ordering::reverse),
            (a, Num::Float(b)) => compare_integer_float(a.integer()?, b),
            (a, b) => Some(a.integer()?.cmp(&b.integer()?)),
        }
    }
}

/// `integer` against `float`, exactly.
pub(super) fn compare_integer_float(integer: i128, float: f64) -> Option<Ordering> {
    if float.is_nan() {
        return None;
    }
    if float >= 1.0e38 {
        return Some(Ordering::Less);
    }
    if float <= -1.0e38 {
        return Some(Ordering::Greater);
    }
    let whole = float.trunc();
    let ordering = integer.cmp(&(whole as i128));
    if ordering != Ordering::Equal {
        return Some(ordering);
    }
    let fraction = float - whole;
    Some(if fraction > 0.0 {
        Ordering::Less
    } else if fraction < 0.0 {
        Ordering::Greater
    } else {
        Ordering::Equal
    })
}

/// Out of line: most floats are checked by [`Node::any_float`] alone.
#[inline(never)]
pub(super) fn float_ok(node: &Node, value: f64) -> bool {
    node.types & NUMBER != 0
        && number_ok(node, Num::Float(value))
        && (dyadic_divide_all(node, value) || divisible_float(node, value))
}

/// Whether every divisor is a [`Divisor::Dyadic`] that divides `value`:
/// the common float divisor's sure yes, in a loop that calls nothing (a
/// loop that may call the validator's functions saves and restores
/// registers around them for every value).
#[inline(always)]
fn dyadic_divide_all(node: &Node, value: f64) -> bool {
    node.divisors.iter().all(|divisor| match *divisor {
        Divisor::Dyadic(_, scale) => dyadic_divides(value, scale),
        Divisor::Integer(_) | Divisor::Other(_) => false,
    })
}

/// Every divisor of `node`, each as the validator decides it.
#[inline(never)]
fn divisible_float(node: &Node, value: f64) -> bool {
    node.divisors
        .iter()
        .all(|divisor| divisor.divides_float(value))
}

/// A `multipleOf` divisor, as the validator's keyword checks it: an
/// integral one by `is_multiple_of_integer`, any other by
/// `is_multiple_of_float` (`jsonschema-value`), with the shortcuts below
/// where those functions' answer is known without calling them.
#[derive(Debug, Clone, Copy)]
pub(super) enum Divisor {
    /// An integer from 1 to 2^53: `is_multiple_of_integer` takes an
    /// integer instance's remainder by it, `n % d == 0`, in `u64` or
    /// `i64` as serde_json read it.
    Integer(u64),
    /// `2^-k` for `k` from 1 to 6 (0.5, 0.25, ...), with `2^k`: see
    /// [`dyadic_multiple`].
    Dyadic(f64, f64),
    /// Any other divisor: the validator's function, always.
    Other(f64),
}

impl Divisor {
    pub(super) fn new(multiple: f64) -> Divisor {
        if multiple.fract() == 0.0 && (1.0..=MAX_SAFE_DIVISOR).contains(&multiple) {
            Divisor::Integer(multiple as u64)
        } else if multiple.to_bits() & 0x000f_ffff_ffff_ffff == 0
            && (2.0..=64.0).contains(&(1.0 / multiple))
        {
            Divisor::Dyadic(multiple, 1.0 / multiple)
        } else {
            Divisor::Other(multiple)
        }
    }

    fn multiple(self) -> f64 {
        match self {
            Divisor::Integer(multiple) => multiple as f64,
            Divisor::Dyadic(multiple, _) | Divisor::Other(multiple) => multiple,
        }
    }

    pub(super) fn divides_unsigned(self, value: u64) -> bool {
        match self {
            Divisor::Integer(multiple) => value.is_multiple_of(multiple),
            Divisor::Dyadic(_, scale) if dyadic_divides(value as f64, scale) => true,
            _ => divides(&Number::from(value), self.multiple()),
        }
    }

    pub(super) fn divides_signed(self, value: i64) -> bool {
        match self {
            // At most 2^53, so an `i64` as the validator converts it.
            Divisor::Integer(multiple) => value % multiple as i64 == 0,
            Divisor::Dyadic(_, scale) if dyadic_divides(value as f64, scale) => true,
            _ => divides(&Number::from(value), self.multiple()),
        }
    }

    pub(super) fn divides_float(self, value: f64) -> bool {
        match self {
            Divisor::Dyadic(_, scale) if dyadic_divides(value, scale) => true,
            _ => Number::from_f64(value).is_some_and(|n| divides(&n, self.multiple())),
        }
    }
}

/// `is_multiple_of_integer` takes the integer remainder for divisors up
/// to this.
const MAX_SAFE_DIVISOR: f64 = 9_007_199_254_740_992.0;

/// Whether `multiple` divides `number`, exactly as the validator decides:
/// by the functions its `multipleOf` keyword calls, chosen as it chooses
/// them (an integral divisor, or not).
pub(super) fn divides(number: &Number, multiple: f64) -> bool {
    if multiple.fract() == 0.0 {
        jsonschema_value::numeric::is_multiple_of_integer(number, multiple)
    } else {
        number
            .as_f64()
            .is_some_and(|value| dyadic_multiple(value, multiple))
            || jsonschema_value::numeric::is_multiple_of_float(number, multiple)
    }
}

/// A sure yes, without the validator's decimal arithmetic, for a divisor
/// `2^-k` with `k` at most 6 (0.5, 0.25, ...): `value * 2^k` is exact, and
/// a value below 2^24 that it makes an integer `n` is `n * 5^k / 10^k`,
/// at most 15 significant digits, which is how the validator reads it (the
/// shortest decimal that round-trips), so its decimal reading divides too.
/// Anything else is left to the validator's function.
pub(super) fn dyadic_multiple(value: f64, multiple: f64) -> bool {
    let power_of_two = multiple.to_bits() & 0x000f_ffff_ffff_ffff == 0;
    let scale = 1.0 / multiple;
    power_of_two && (2.0..=64.0).contains(&scale) && dyadic_divides(value, scale)
}

/// [`dyadic_multiple`] with the divisor's `2^k` known. `value * scale`
/// is then below 2^30 in magnitude, and adding `1.5 * 2^52` rounds any
/// number below 2^51 to an integer (doubles from 2^52 to 2^53 are one
/// apart), which subtracting it again leaves exact: the difference is the
/// scaled value exactly when that is an integer (-0.0 gives 0.0, equal to
/// it). Fewer instructions than `fract` (a call to `trunc`) or a round
/// trip through `i64` (a saturating conversion).
#[inline(always)]
pub(super) fn dyadic_divides(value: f64, scale: f64) -> bool {
    const ROUND: f64 = 6_755_399_441_055_744.0;
    let scaled = value * scale;
    value.abs() < 16_777_216.0 && (scaled + ROUND) - ROUND == scaled
}

/// An integer of a node with `multipleOf`: its range, then each divisor.
/// Inlined into the cursor's out-of-line check, its only caller.
#[inline(always)]
pub(super) fn divisible_unsigned(node: &Node, value: u64) -> bool {
    let (low, high) = node.divisible_ranges.0;
    low <= value
        && value <= high
        && (node.divisors.iter().all(|divisor| match *divisor {
            // The same remainder as `divides_unsigned`, without a call.
            Divisor::Integer(multiple) => value.is_multiple_of(multiple),
            Divisor::Dyadic(..) | Divisor::Other(_) => false,
        }) || divisible_unsigned_slowly(node, value))
}

/// [`divisible_unsigned`] past its integer divisors: every divisor, each
/// as the validator decides it.
#[inline(never)]
fn divisible_unsigned_slowly(node: &Node, value: u64) -> bool {
    node.divisors
        .iter()
        .all(|divisor| divisor.divides_unsigned(value))
}

/// [`divisible_unsigned`] for the negative integers.
#[inline(never)]
pub(super) fn divisible_signed(node: &Node, value: i64) -> bool {
    let (low, high) = node.divisible_ranges.1;
    low <= value
        && value <= high
        && node
            .divisors
            .iter()
            .all(|divisor| divisor.divides_signed(value))
}

pub(super) fn number_ok(node: &Node, value: Num) -> bool {
    let at_least = |bound: Option<Num>, accept: fn(Ordering) -> bool| {
        bound.is_none_or(|bound| value.compare(bound).is_some_and(accept))
    };
    at_least(node.minimum, |o| o != Ordering::Less)
        && at_least(node.maximum, |o| o != Ordering::Greater)
        && at_least(node.exclusive_minimum, |o| o == Ordering::Greater)
        && at_least(node.exclusive_maximum, |o| o == Ordering::Less)
}

#[inline(always)]
pub(super) fn string_ok(node: &Node, text: &str) -> bool {
    let bytes = text.len() as u64;
    let (low, high) = node.plain_string_bytes;
    (low <= bytes && bytes <= high) || string_ok_exactly(node, text)
}

#[inline(never)]
pub(super) fn string_ok_exactly(node: &Node, text: &str) -> bool {
    if node.types & STRING == 0 {
        return false;
    }
    if let Some(options) = &node.string_enum
        && !options.iter().any(|option| option == text)
    {
        return false;
    }
    // JSON Schema counts code points; a UTF-8 string has at least a quarter
    // as many as it has bytes, and at most as many.
    let bytes = text.len() as u64;
    let mut count = None;
    let mut chars = || *count.get_or_insert_with(|| text.chars().count() as u64);
    if let Some(max) = node.max_length
        && bytes > max
        && chars() > max
    {
        return false;
    }
    if let Some(min) = node.min_length
        && (bytes < min || (bytes < min.saturating_mul(4) && chars() < min))
    {
        return false;
    }
    node.string_checks.iter().all(|check| check.accepts(text))
}
