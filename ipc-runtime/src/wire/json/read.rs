//! The fast reader of inbound JSON text: a serde `Deserializer` that gives
//! every value serde_json's `Deserializer::from_str` gives, or declines
//! (docs/adr/0061-own-json-reader.md).
//!
//! It reads strings the way the writer writes them: the bytes JSON escapes
//! are found 64 at a time and the runs between them copied whole, straight
//! into the `String` a handler keeps (serde_json finds them eight at a
//! time, copies the runs into a scratch buffer that grows by doubling, and
//! copies that again). For a 64 KB note with a line break every line that
//! is most of the difference between the WebSocket server and a bare echo.
//!
//! It accepts only what it is sure of. Where serde_json would refuse the
//! text, and wherever its answer is subtle (an integer past 64 bits, a
//! float that overflows or underflows, a 128-bit or byte-string request, a
//! number read from a map key), this reader declines, and the caller reads
//! the same text with serde_json, whose answer (value or error) is then the
//! one given. A decline is never an answer. The property tests in
//! `read_tests` compare both readers on generated JSON, valid and not.

use std::fmt;
use std::sync::LazyLock;

use serde::de::{self, DeserializeSeed, Visitor};
use serde::forward_to_deserialize_any;

use super::Declined;
use super::scan::{Escapes, first_escape};

/// serde_json's nesting budget: a level takes one, and none may be left
/// at zero.
const MAX_DEPTH: u8 = 128;

/// Powers of ten that are exact as `f64`, for floats read in one step.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// serde_json's private name for its `RawValue`, which it reads as the
/// value's raw text (`serde_json::value::RawValue` asks for it by name).
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// Whether serde_json, as built into this program, reads numbers as this
/// reader does: with its `float_roundtrip` feature (which jsonschema turns
/// on; without it serde_json's floats can be a bit off the closest) and
/// without `arbitrary_precision` (which keeps a number's text). Checked
/// once; when not, every caller reads with serde_json alone.
pub(crate) fn reads_as_serde_json() -> bool {
    static SAME: LazyLock<bool> = LazyLock::new(|| {
        // The closest float to this text is one that serde_json's default
        // arithmetic misses.
        let closest = "1.0715660391465826e-75";
        let float = serde_json::from_str::<f64>(closest).ok() == closest.parse::<f64>().ok();
        let value =
            serde_json::from_str::<serde_json::Value>("1.50").map(|value| value.to_string());
        float && value.ok().as_deref() == Some("1.5")
    });
    *SAME
}

impl de::Error for Declined {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Declined
    }
}

/// Reads JSON text; see the module's documentation.
pub(crate) struct TextReader<'de> {
    text: &'de str,
    at: usize,
    depth: u8,
}

type Result<T> = std::result::Result<T, Declined>;

impl<'de> TextReader<'de> {
    pub(crate) fn new(text: &'de str) -> Self {
        TextReader {
            text,
            at: 0,
            depth: MAX_DEPTH,
        }
    }

    /// Succeeds when only whitespace is left, as serde_json's `end`.
    pub(crate) fn end(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(Declined),
        }
    }

    fn bytes(&self) -> &'de [u8] {
        self.text.as_bytes()
    }

    /// The next byte that is not JSON whitespace, not consumed.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        while let Some(&byte) = bytes.get(self.at) {
            if !matches!(byte, b' ' | b'\n' | b'\t' | b'\r') {
                return Some(byte);
            }
            self.at += 1;
        }
        None
    }

    /// Consumes `expected` after whitespace.
    #[inline]
    fn eat(&mut self, expected: u8) -> Result<()> {
        if self.peek() == Some(expected) {
            self.at += 1;
            Ok(())
        } else {
            Err(Declined)
        }
    }

    /// Consumes the literal `word` (`true`, `false`, `null`) at the cursor.
    fn literal(&mut self, word: &[u8]) -> Result<()> {
        if self.bytes()[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(Declined)
        }
    }

    /// Runs `read` one level deeper: at most 127 levels, as serde_json
    /// allows.
    fn nested<T>(&mut self, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.depth = self
            .depth
            .checked_sub(1)
            .filter(|&left| left > 0)
            .ok_or(Declined)?;
        let result = read(self);
        self.depth += 1;
        result
    }

    /// A string whose opening quote is at the cursor.
    #[inline]
    fn string(&mut self) -> Result<Text<'de>> {
        let start = self.at + 1;
        let bytes = self.bytes();
        let at = first_escape(bytes, start).ok_or(Declined)?;
        if bytes[at] == b'"' {
            self.at = at + 1;
            // Both ends are ASCII bytes, hence character boundaries.
            return Ok(Text::Borrowed(&self.text[start..at]));
        }
        self.escaped_string(start, at).map(Text::Owned)
    }

    /// The rest of a string with escapes, from `start`; `at` is the first
    /// byte to escape.
    #[inline(never)]
    fn escaped_string(&mut self, start: usize, mut at: usize) -> Result<String> {
        let (text, bytes) = (self.text, self.bytes());
        // Reports `at` first, then the escapes after it.
        let mut escapes = Escapes::new(bytes, at);
        escapes.next();
        // Reserved once for the whole string, which its escapes only make
        // shorter: grown by doubling, a 64 KB string ended in a buffer of
        // 128 KB.
        let mut out = String::with_capacity(closing_quote(bytes, at).ok_or(Declined)? - start);
        let mut run = start;
        loop {
            out.push_str(&text[run..at]);
            match bytes[at] {
                b'"' => {
                    self.at = at + 1;
                    return Ok(out);
                }
                b'\\' => {
                    let (character, next) = escape(bytes, at + 1)?;
                    out.push(character);
                    run = next;
                    escapes.skip_to(next);
                }
                // A control character, which JSON strings may not hold.
                _ => return Err(Declined),
            }
            at = escapes.next().ok_or(Declined)?;
        }
    }

    /// Skips a string whose opening quote is at the cursor, checking it as
    /// [`string`](Self::string) does.
    fn skip_string(&mut self) -> Result<()> {
        let bytes = self.bytes();
        let mut escapes = Escapes::new(bytes, self.at + 1);
        loop {
            let at = escapes.next().ok_or(Declined)?;
            match bytes[at] {
                b'"' => {
                    self.at = at + 1;
                    return Ok(());
                }
                b'\\' => {
                    let (_, next) = escape(bytes, at + 1)?;
                    escapes.skip_to(next);
                }
                _ => return Err(Declined),
            }
        }
    }

    /// The extent of the number at the cursor, checked against JSON's
    /// grammar: whether it is negative, the end of its integer digits and
    /// its end, and whether it has a fraction or exponent.
    fn number_token(&self) -> Result<Number> {
        let bytes = self.bytes();
        let mut at = self.at;
        let negative = bytes.get(at) == Some(&b'-');
        if negative {
            at += 1;
        }
        let digits_start = at;
        match bytes.get(at) {
            Some(b'0') => at += 1,
            Some(b'1'..=b'9') => at = digits_end(bytes, at),
            _ => return Err(Declined),
        }
        let integer_end = at;
        let mut fraction_or_exponent = false;
        if bytes.get(at) == Some(&b'.') {
            let end = digits_end(bytes, at + 1);
            if end == at + 1 {
                return Err(Declined);
            }
            at = end;
            fraction_or_exponent = true;
        }
        let mantissa_end = at;
        if matches!(bytes.get(at), Some(b'e' | b'E')) {
            at += 1;
            if matches!(bytes.get(at), Some(b'+' | b'-')) {
                at += 1;
            }
            let end = digits_end(bytes, at);
            if end == at {
                return Err(Declined);
            }
            at = end;
            fraction_or_exponent = true;
        }
        Ok(Number {
            negative,
            digits_start,
            integer_end,
            mantissa_end,
            end: at,
            fraction_or_exponent,
        })
    }

    /// Reads the number at the cursor and visits it as serde_json does:
    /// `u64` for an integer of 0 or more, `i64` for a negative one, `f64`
    /// otherwise (and for `-0`). A float asked for as an `f32` is rounded
    /// to one, as serde_json rounds it, before it is visited.
    #[inline]
    fn number<V: Visitor<'de>>(&mut self, visitor: V, single: bool) -> Result<V::Value> {
        let number = self.number_token()?;
        self.at = number.end;
        let bytes = self.bytes();
        if number.fraction_or_exponent {
            return visitor.visit_f64(self.float(&number, single)?);
        }
        let mut magnitude: u64 = 0;
        for &digit in &bytes[number.digits_start..number.integer_end] {
            magnitude = magnitude
                .checked_mul(10)
                .and_then(|value| value.checked_add(u64::from(digit - b'0')))
                .ok_or(Declined)?;
        }
        if !number.negative {
            return visitor.visit_u64(magnitude);
        }
        if magnitude == 0 {
            return visitor.visit_f64(-0.0);
        }
        // Down to i64::MIN; past it serde_json reads a float, left to it.
        let negated = 0i64.checked_sub_unsigned(magnitude).ok_or(Declined)?;
        visitor.visit_i64(negated)
    }

    /// The float `number` stands for, correctly rounded (to an `f32` when
    /// `single`), as serde_json reads it with its `float_roundtrip`
    /// feature. Left to serde_json: more than 19 significant digits (which
    /// overflow its `u64` significand, read by another algorithm), an overflow (which it refuses) and an
    /// underflow to zero.
    fn float(&self, number: &Number, single: bool) -> Result<f64> {
        if !single && let Some(value) = self.exact_float(number) {
            return Ok(value);
        }
        let mantissa = &self.bytes()[number.digits_start..number.mantissa_end];
        // Significant digits: from the first that is not zero.
        let (mut digits, mut zero) = (0, true);
        for &byte in mantissa {
            if byte != b'.' {
                zero &= byte == b'0';
                digits += usize::from(!zero);
            }
        }
        let token = &self.text[number.digits_start - usize::from(number.negative)..number.end];
        let value = if single {
            f64::from(token.parse::<f32>().map_err(|_| Declined)?)
        } else {
            token.parse::<f64>().map_err(|_| Declined)?
        };
        if digits > 19 || !value.is_finite() || (value == 0.0 && !zero) {
            return Err(Declined);
        }
        Ok(value)
    }

    /// The float of at most 15 digits and a power of ten within 22 (most
    /// floats a program writes): both exact as `f64`, so one
    /// multiplication or division rounds correctly, as the full algorithm
    /// would. `None` for any other.
    #[inline]
    fn exact_float(&self, number: &Number) -> Option<f64> {
        const MAX_DIGITS: usize = 15;
        let bytes = self.bytes();
        let mut mantissa: u64 = 0;
        let mut digits = 0;
        let mut fraction_digits = 0;
        for (index, &byte) in bytes[number.digits_start..number.mantissa_end]
            .iter()
            .enumerate()
        {
            if byte == b'.' {
                continue;
            }
            if number.digits_start + index > number.integer_end {
                fraction_digits += 1;
            }
            mantissa = mantissa * 10 + u64::from(byte - b'0');
            digits += usize::from(mantissa != 0);
            if digits > MAX_DIGITS {
                return None;
            }
        }
        let mut exponent: i64 = -fraction_digits;
        if number.mantissa_end < number.end {
            let written = &self.text[number.mantissa_end + 1..number.end];
            // A few digits at most; more are left to the full algorithm.
            if written.len() > 4 {
                return None;
            }
            exponent += written.parse::<i64>().ok()?;
        }
        // Exact as an f64 integer, since it has at most 15 digits.
        #[allow(clippy::cast_precision_loss)]
        let magnitude = mantissa as f64;
        let power = *EXACT_POWERS_OF_TEN.get(usize::try_from(exponent.unsigned_abs()).ok()?)?;
        let value = if exponent < 0 {
            magnitude / power
        } else {
            magnitude * power
        };
        Some(if number.negative { -value } else { value })
    }

    /// Skips the value at the cursor, checking it.
    fn skip_value(&mut self) -> Result<()> {
        match self.peek().ok_or(Declined)? {
            b'n' => self.literal(b"null"),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'"' => self.skip_string(),
            b'-' | b'0'..=b'9' => {
                self.at = self.number_token()?.end;
                Ok(())
            }
            b'[' => self.nested(|reader| {
                reader.at += 1;
                let mut first = true;
                while reader.more_elements(&mut first, b']')? {
                    reader.skip_value()?;
                }
                reader.at += 1;
                Ok(())
            }),
            b'{' => self.nested(|reader| {
                reader.at += 1;
                let mut first = true;
                while reader.more_elements(&mut first, b'}')? {
                    if reader.peek() != Some(b'"') {
                        return Err(Declined);
                    }
                    reader.skip_string()?;
                    reader.eat(b':')?;
                    reader.skip_value()?;
                }
                reader.at += 1;
                Ok(())
            }),
            _ => Err(Declined),
        }
    }

    /// Whether an array or object goes on: `false` at its closing `close`
    /// (left for the caller to consume); after the first element, consumes
    /// the comma before the next. Refuses a trailing comma.
    #[inline]
    fn more_elements(&mut self, first: &mut bool, close: u8) -> Result<bool> {
        let next = self.peek().ok_or(Declined)?;
        if next == close {
            return Ok(false);
        }
        if *first {
            *first = false;
            return Ok(true);
        }
        if next != b',' {
            return Err(Declined);
        }
        self.at += 1;
        match self.peek() {
            Some(byte) if byte != close => Ok(true),
            _ => Err(Declined),
        }
    }

    /// An array or object at the cursor, one level deeper: `read` reads
    /// what follows its opening byte, and `close` must come next.
    fn container<T>(&mut self, close: u8, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.nested(|reader| {
            reader.at += 1;
            let value = read(reader)?;
            reader.eat(close)?;
            Ok(value)
        })
    }

    /// An array at the cursor, visited.
    fn array<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.container(b']', |reader| {
            visitor.visit_seq(Items {
                reader,
                first: true,
            })
        })
    }

    /// An object at the cursor, visited.
    fn object<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.container(b'}', |reader| {
            visitor.visit_map(Items {
                reader,
                first: true,
            })
        })
    }

    /// serde_json's `RawValue`: the value's text, from its first byte.
    fn raw_value<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.peek();
        let start = self.at;
        self.skip_value()?;
        visitor.visit_map(RawValueAccess {
            raw: Some(&self.text[start..self.at]),
        })
    }
}

/// Where the string that goes on at `from` ends: its first quote that no
/// backslash escapes (an odd run of backslashes before it does).
fn closing_quote(bytes: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let at = from + memchr::memchr(b'"', bytes.get(from..)?)?;
        let backslashes = bytes[..at]
            .iter()
            .rev()
            .take_while(|&&byte| byte == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return Some(at);
        }
        from = at + 1;
    }
}

/// The digits from `at` on end here.
#[inline]
fn digits_end(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    at
}

/// The escape whose letter is at `at` (after its backslash): the character
/// it stands for and where the string goes on. A surrogate must be half
/// of a pair written as two escapes.
#[inline]
fn escape(bytes: &[u8], at: usize) -> Result<(char, usize)> {
    let character = match bytes.get(at).ok_or(Declined)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let unit = hex4(bytes, at + 1)?;
            if let Some(character) = char::from_u32(u32::from(unit)) {
                return Ok((character, at + 5));
            }
            // A leading surrogate, followed by `\u` and a trailing one.
            if !(0xd800..0xdc00).contains(&unit) || bytes.get(at + 5..at + 7) != Some(b"\\u") {
                return Err(Declined);
            }
            let low = hex4(bytes, at + 7)?;
            if !(0xdc00..0xe000).contains(&low) {
                return Err(Declined);
            }
            let scalar = 0x1_0000 + ((u32::from(unit) - 0xd800) << 10) + (u32::from(low) - 0xdc00);
            return Ok((char::from_u32(scalar).ok_or(Declined)?, at + 11));
        }
        _ => return Err(Declined),
    };
    Ok((character, at + 1))
}

/// Four hex digits from `at`.
fn hex4(bytes: &[u8], at: usize) -> Result<u16> {
    let digits = bytes.get(at..at + 4).ok_or(Declined)?;
    digits.iter().try_fold(0u16, |unit, &digit| {
        let value = char::from(digit).to_digit(16).ok_or(Declined)?;
        Ok((unit << 4) | u16::try_from(value).map_err(|_| Declined)?)
    })
}

/// A number's extent (see [`TextReader::number_token`]).
struct Number {
    negative: bool,
    digits_start: usize,
    integer_end: usize,
    /// Where the digits end and the exponent, if any, starts.
    mantissa_end: usize,
    end: usize,
    fraction_or_exponent: bool,
}

/// A string as read: borrowed from the text when it has no escape.
enum Text<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl<'de> Text<'de> {
    #[inline]
    fn visit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Text::Borrowed(text) => visitor.visit_borrowed_str(text),
            Text::Owned(text) => visitor.visit_string(text),
        }
    }
}

/// Methods that decline, whatever comes next.
macro_rules! declined {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
                Err(Declined)
            }
        )*
    };
}

/// Number requests, all read as serde_json reads them (`f32` aside).
macro_rules! numbers {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
                self.deserialize_u64(visitor)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for &mut TextReader<'de> {
    type Error = Declined;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek().ok_or(Declined)? {
            b'n' => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            b't' => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            b'-' | b'0'..=b'9' => self.number(visitor, false),
            b'"' => self.string()?.visit(visitor),
            b'[' => self.array(visitor),
            b'{' => self.object(visitor),
            _ => Err(Declined),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b't' | b'f') => self.deserialize_any(visitor),
            _ => Err(Declined),
        }
    }

    #[inline]
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.number(visitor, false),
            _ => Err(Declined),
        }
    }

    numbers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_u8
        deserialize_u16 deserialize_u32 deserialize_f64
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.number(visitor, true),
            _ => Err(Declined),
        }
    }

    // serde_json reads 128-bit integers digit by digit, and gives a
    // string's bytes unescaped but unchecked: left to it.
    declined! { deserialize_i128 deserialize_u128 deserialize_bytes deserialize_byte_buf }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'"') => self.string()?.visit(visitor),
            _ => Err(Declined),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'n') => self.deserialize_any(visitor),
            _ => Err(Declined),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == RAW_VALUE_TOKEN {
            return self.raw_value(visitor);
        }
        visitor.visit_newtype_struct(self)
    }

    #[inline]
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'[') => self.array(visitor),
            _ => Err(Declined),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'{') => self.object(visitor),
            _ => Err(Declined),
        }
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.peek() {
            Some(b'{') => self.object(visitor),
            Some(b'[') => self.array(visitor),
            _ => Err(Declined),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.peek() {
            Some(b'"') => visitor.visit_enum(UnitVariant { reader: self }),
            Some(b'{') => {
                self.container(b'}', |reader| visitor.visit_enum(VariantEntry { reader }))
            }
            _ => Err(Declined),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip_value()?;
        visitor.visit_unit()
    }
}

/// An array's elements or an object's members: serde's access to either.
struct Items<'r, 'de> {
    reader: &'r mut TextReader<'de>,
    first: bool,
}

impl<'de> de::SeqAccess<'de> for Items<'_, 'de> {
    type Error = Declined;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if !self.reader.more_elements(&mut self.first, b']')? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }
}

impl<'de> de::MapAccess<'de> for Items<'_, 'de> {
    type Error = Declined;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if !self.reader.more_elements(&mut self.first, b'}')? {
            return Ok(None);
        }
        // `more_elements` stopped at the key's first byte.
        if self.reader.bytes().get(self.reader.at) != Some(&b'"') {
            return Err(Declined);
        }
        seed.deserialize(MapKey {
            reader: &mut *self.reader,
        })
        .map(Some)
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        self.reader.eat(b':')?;
        seed.deserialize(&mut *self.reader)
    }
}

/// A map key, whose opening quote is at the cursor. Read as a string, as
/// serde_json reads one; a key asked for as a number or a boolean (which
/// serde_json parses from the string) is left to serde_json.
struct MapKey<'r, 'de> {
    reader: &'r mut TextReader<'de>,
}

impl<'de> de::Deserializer<'de> for MapKey<'_, 'de> {
    type Error = Declined;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.reader.string()?.visit(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == RAW_VALUE_TOKEN {
            return Err(Declined);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_enum(self.reader, name, variants, visitor)
    }

    declined! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_bytes deserialize_byte_buf
    }

    forward_to_deserialize_any! {
        char str string unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// An enum written as a string: a unit variant.
struct UnitVariant<'r, 'de> {
    reader: &'r mut TextReader<'de>,
}

impl<'de> de::EnumAccess<'de> for UnitVariant<'_, 'de> {
    type Error = Declined;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let variant = seed.deserialize(&mut *self.reader)?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for UnitVariant<'_, 'de> {
    type Error = Declined;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value> {
        Err(Declined)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value> {
        Err(Declined)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        Err(Declined)
    }
}

/// An enum written as an object of one member, after its `{`.
struct VariantEntry<'r, 'de> {
    reader: &'r mut TextReader<'de>,
}

impl<'de> de::EnumAccess<'de> for VariantEntry<'_, 'de> {
    type Error = Declined;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        if self.reader.peek() != Some(b'"') {
            return Err(Declined);
        }
        let variant = seed.deserialize(MapKey {
            reader: &mut *self.reader,
        })?;
        self.reader.eat(b':')?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for VariantEntry<'_, 'de> {
    type Error = Declined;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(self.reader)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self.reader)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(self.reader, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_struct(self.reader, "", fields, visitor)
    }
}

/// A `RawValue` as serde_json hands it over: a map of one member, named by
/// the token, whose value is the raw text.
struct RawValueAccess<'de> {
    raw: Option<&'de str>,
}

impl<'de> de::MapAccess<'de> for RawValueAccess<'de> {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.raw.is_none() {
            return Ok(None);
        }
        seed.deserialize(de::value::BorrowedStrDeserializer::new(RAW_VALUE_TOKEN))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let raw = self.raw.take().ok_or(Declined)?;
        seed.deserialize(de::value::BorrowedStrDeserializer::new(raw))
    }
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
