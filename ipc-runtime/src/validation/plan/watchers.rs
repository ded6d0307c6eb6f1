//! Wrappers that show a string serde reads (a key, a tag's value) to a
//! [`Watch`] without changing what serde is given.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};

use super::containers::{Keys, NO_PROPERTY};
use super::cursor::reject;
use super::node::Choice;

/// What learns from a string serde reads (a key, or a tag's value) without
/// changing what serde is given.
pub(super) trait Watch {
    fn saw(self, text: &str);
}

/// Finds the property a key names.
impl Watch for &mut Keys<'_> {
    #[inline(always)]
    fn saw(self, key: &str) {
        let properties = &self.object.properties;
        let index = if properties
            .get(self.guess)
            .is_some_and(|(name, _)| same(name, key))
        {
            self.guess
        } else {
            match properties.iter().position(|(name, _)| same(name, key)) {
                Some(index) => index,
                None => {
                    self.found = NO_PROPERTY;
                    return;
                }
            }
        };
        self.guess = index + 1;
        self.found = index;
    }
}

/// Which of a union's branches (or an enum's variants) a tag picks.
pub(super) struct TagWatch<'a, 'p, C> {
    pub(super) choices: &'p [C],
    /// The choice the string named.
    pub(super) picked: &'a mut Option<&'p C>,
}

/// Records the choice a tag names; none when it names none (or is not a
/// string), and the plan then refuses the payload.
impl<C: Choice> Watch for TagWatch<'_, '_, C> {
    #[inline(always)]
    fn saw(self, tag: &str) {
        *self.picked = self.choices.iter().find(|choice| same(choice.name(), tag));
    }
}

/// A seed whose string is shown to a [`Watch`] as serde reads it.
pub(super) struct WatchedSeed<S, W> {
    pub(super) seed: S,
    pub(super) watch: W,
}

impl<'de, S: DeserializeSeed<'de>, W: Watch> DeserializeSeed<'de> for WatchedSeed<S, W> {
    type Value = S::Value;

    #[inline(always)]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(WatchedDeserializer {
            de: deserializer,
            watch: self.watch,
        })
    }
}

pub(super) struct WatchedDeserializer<D, W> {
    pub(super) de: D,
    pub(super) watch: W,
}

pub(super) struct WatchedVisitor<V, W> {
    pub(super) visitor: V,
    pub(super) watch: W,
}

impl<'de, D: Deserializer<'de>, W: Watch> Deserializer<'de> for WatchedDeserializer<D, W> {
    type Error = D::Error;

    forward_every_method!(WatchedVisitor { watch });
}

impl<'de, V: Visitor<'de>, W: Watch> Visitor<'de> for WatchedVisitor<V, W> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    #[inline(always)]
    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<V::Value, E> {
        self.watch.saw(value);
        self.visitor.visit_borrowed_str(value)
    }

    #[inline(always)]
    fn visit_str<E: de::Error>(self, value: &str) -> Result<V::Value, E> {
        self.watch.saw(value);
        self.visitor.visit_str(value)
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<V::Value, E> {
        self.watch.saw(&value);
        self.visitor.visit_string(value)
    }

    // Anything else is not shown to the watch: a key read as a number
    // (a `HashMap<u32, _>`) names no property, and a tag that is not a
    // string picks no branch.
    fn visit_bool<E: de::Error>(self, value: bool) -> Result<V::Value, E> {
        self.visitor.visit_bool(value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<V::Value, E> {
        self.visitor.visit_i64(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<V::Value, E> {
        self.visitor.visit_u64(value)
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<V::Value, E> {
        self.visitor.visit_i128(value)
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<V::Value, E> {
        self.visitor.visit_u128(value)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<V::Value, E> {
        self.visitor.visit_f64(value)
    }

    fn visit_char<E: de::Error>(self, value: char) -> Result<V::Value, E> {
        self.visitor.visit_char(value)
    }

    fn visit_bytes<E: de::Error>(self, value: &[u8]) -> Result<V::Value, E> {
        self.visitor.visit_bytes(value)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, value: &'de [u8]) -> Result<V::Value, E> {
        self.visitor.visit_borrowed_bytes(value)
    }

    fn visit_byte_buf<E: de::Error>(self, value: Vec<u8>) -> Result<V::Value, E> {
        self.visitor.visit_byte_buf(value)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_some<D2: Deserializer<'de>>(self, _: D2) -> Result<V::Value, D2::Error> {
        Err(reject())
    }

    fn visit_newtype_struct<D2: Deserializer<'de>>(self, _: D2) -> Result<V::Value, D2::Error> {
        Err(reject())
    }

    fn visit_seq<A2: SeqAccess<'de>>(self, _: A2) -> Result<V::Value, A2::Error> {
        Err(reject())
    }

    fn visit_map<A2: MapAccess<'de>>(self, _: A2) -> Result<V::Value, A2::Error> {
        Err(reject())
    }

    fn visit_enum<A2: EnumAccess<'de>>(self, _: A2) -> Result<V::Value, A2::Error> {
        Err(reject())
    }
}

/// String equality without a call to `memcmp`, for the short strings
/// property names are: two overlapping word loads cover 4 to 16 bytes.
#[inline(always)]
pub(super) fn same(a: &str, b: &str) -> bool {
    #[inline(always)]
    fn word4(bytes: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
    }
    #[inline(always)]
    fn word8(bytes: &[u8], at: usize) -> u64 {
        u64::from_le_bytes([
            bytes[at],
            bytes[at + 1],
            bytes[at + 2],
            bytes[at + 3],
            bytes[at + 4],
            bytes[at + 5],
            bytes[at + 6],
            bytes[at + 7],
        ])
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let len = a.len();
    if len != b.len() {
        return false;
    }
    match len {
        0 => true,
        1..=3 => a[0] == b[0] && a[len / 2] == b[len / 2] && a[len - 1] == b[len - 1],
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, len - 4) == word4(b, len - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, len - 8) == word8(b, len - 8),
        _ => a == b,
    }
}
