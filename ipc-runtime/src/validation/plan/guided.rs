//! [`Guided`]: the deserializer adapter that checks each value serde reads
//! against its node.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};

use super::containers::{
    ExternalVisitor, GuidedMap, GuidedSeq, Keys, NO_PROPERTY, Track, UnitVariantVisitor,
};
use super::cursor::Cursor;
use super::distinct::Distinct;
use super::node::{ARRAY, BOOLEAN, INTEGER, NUMBER, OBJECT, STRING};

/// A deserializer that checks each value against its plan node.
///
/// The wrappers hold their cursor by reference: at two words or less a
/// wrapper is passed in registers, where a larger one is passed through
/// memory, and reading it back right after it was written stalls.
pub(super) struct Guided<'a, D> {
    pub(super) de: D,
    pub(super) at: &'a Cursor<'a>,
}

pub(super) struct GuidedVisitor<'a, V> {
    pub(super) visitor: V,
    pub(super) at: &'a Cursor<'a>,
}

impl<'a, V> GuidedVisitor<'a, V> {
    /// An array, remembering what `T` keeps of its items.
    #[inline(always)]
    fn visit_seq_with<'de, A: SeqAccess<'de>, T: Track>(
        self,
        seq: A,
        distinct: T,
    ) -> Result<V::Value, A::Error>
    where
        V: Visitor<'de>,
    {
        let node = self.at.non_null();
        self.at.require(node.types & ARRAY != 0);
        let mut guided = GuidedSeq {
            seq,
            prefix: &node.prefix_items,
            items: self.at.open().at(node.items.unwrap_or(self.at.plan().any)),
            count: 0,
            max: node.max_items,
            distinct,
        };
        let result = self.visitor.visit_seq(&mut guided);
        if node.min_items.is_some_and(|min| guided.count < min) {
            self.at.refuse();
        }
        result
    }

    /// An array under `uniqueItems`; out of line, to keep the common
    /// array's code as small as it was.
    #[inline(never)]
    fn visit_distinct_seq<'de, A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error>
    where
        V: Visitor<'de>,
    {
        self.visit_seq_with(seq, Distinct::default())
    }

    /// A float where only integers are allowed. JSON Schema counts 1.0 as
    /// an integer; serde's integer types do not, so an integral float is
    /// given to serde as an integer. Out of line: the number visits stay
    /// small enough for serde_json to inline them.
    #[inline(never)]
    pub(super) fn visit_float_as_integer<'de, E: de::Error>(self, value: f64) -> Result<V::Value, E>
    where
        V: Visitor<'de>,
    {
        if self.at.non_null().types & INTEGER != 0 && value.fract() == 0.0 {
            if (0.0..18_446_744_073_709_551_616.0).contains(&value) {
                let n = value as u64;
                self.at.check_unsigned(n);
                return self.visitor.visit_u64(n);
            }
            if (-9_223_372_036_854_775_808.0..0.0).contains(&value) {
                let n = value as i64;
                self.at.check_signed(n);
                return self.visitor.visit_i64(n);
            }
        }
        self.at.refuse();
        self.visitor.visit_f64(value)
    }
}

impl<'de, 'a, D: Deserializer<'de>> Deserializer<'de> for Guided<'a, D> {
    type Error = D::Error;

    forward_value_methods!(GuidedVisitor { at });

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let node = self.at.non_null();
        if node.types != STRING || node.string_enum.is_none() {
            self.at.refuse();
            return self.de.deserialize_enum(name, variants, visitor);
        }
        if node.variants.is_empty() {
            // A unit enum: strings only (serde_json would also take
            // `{"Variant": null}`).
            return self.de.deserialize_str(UnitVariantVisitor {
                visitor,
                at: self.at,
            });
        }
        // Read as a JSON value, so that a string (a unit variant) and an
        // object (a data variant) are told apart.
        self.de.deserialize_any(ExternalVisitor {
            visitor,
            at: self.at,
        })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        // Still walked, to check the value and its depth.
        self.de.deserialize_any(GuidedVisitor {
            visitor,
            at: self.at,
        })
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

impl<'de, 'a, V: Visitor<'de>> Visitor<'de> for GuidedVisitor<'a, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    #[inline(always)]
    fn visit_bool<E: de::Error>(self, value: bool) -> Result<V::Value, E> {
        let node = self.at.non_null();
        self.at.require(node.types & BOOLEAN != 0);
        self.visitor.visit_bool(value)
    }

    #[inline(always)]
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<V::Value, E> {
        self.at.check_signed(value);
        self.visitor.visit_i64(value)
    }

    #[inline(always)]
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<V::Value, E> {
        self.at.check_unsigned(value);
        self.visitor.visit_u64(value)
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<V::Value, E> {
        self.at.check_wide_integer(value);
        self.visitor.visit_i128(value)
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<V::Value, E> {
        match i128::try_from(value) {
            Ok(value) => self.at.check_wide_integer(value),
            Err(_) => self.at.refuse(),
        }
        self.visitor.visit_u128(value)
    }

    #[inline(always)]
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<V::Value, E> {
        if self.at.non_null().types & NUMBER == 0 {
            return self.visit_float_as_integer(value);
        }
        self.at.check_float(value);
        self.visitor.visit_f64(value)
    }

    #[inline(always)]
    fn visit_str<E: de::Error>(self, value: &str) -> Result<V::Value, E> {
        self.at.check_string(value);
        self.visitor.visit_str(value)
    }

    #[inline(always)]
    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<V::Value, E> {
        self.at.check_string(value);
        self.visitor.visit_borrowed_str(value)
    }

    #[inline(always)]
    fn visit_string<E: de::Error>(self, value: String) -> Result<V::Value, E> {
        self.at.check_string(&value);
        self.visitor.visit_string(value)
    }

    fn visit_bytes<E: de::Error>(self, value: &[u8]) -> Result<V::Value, E> {
        self.at.refuse();
        self.visitor.visit_bytes(value)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.at.require(self.at.null_ok);
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.at.require(self.at.null_ok);
        self.visitor.visit_unit()
    }

    fn visit_some<D2: Deserializer<'de>>(self, deserializer: D2) -> Result<V::Value, D2::Error> {
        self.visitor.visit_some(Guided {
            de: deserializer,
            at: self.at,
        })
    }

    fn visit_newtype_struct<D2: Deserializer<'de>>(
        self,
        deserializer: D2,
    ) -> Result<V::Value, D2::Error> {
        self.visitor.visit_newtype_struct(Guided {
            de: deserializer,
            at: self.at,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        if self.at.non_null().unique_items {
            return self.visit_distinct_seq(seq);
        }
        self.visit_seq_with(seq, ())
    }

    #[inline(always)]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let node = self.at.non_null();
        self.at.require(node.types & OBJECT != 0);
        let inner = self.at.open();
        let mut guided = GuidedMap {
            map,
            keys: Keys {
                object: node,
                guess: 0,
                found: NO_PROPERTY,
            },
            union: node.tagged.as_ref(),
            seen: 0,
            count: 0,
            // Replaced by each key before its value is read (serde_json's
            // map reads no value before a key).
            value_at: inner,
        };
        let result = self.visitor.visit_map(&mut guided);
        let object = guided.keys.object;
        self.at.require(
            guided.union.is_none()
                && guided.seen & object.required == object.required
                && guided.count <= object.max_properties,
        );
        result
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.at.refuse();
        self.visitor.visit_enum(data)
    }
}

pub(super) struct GuidedSeed<'a, S> {
    pub(super) seed: S,
    pub(super) at: &'a Cursor<'a>,
}

impl<'de, 'a, S: DeserializeSeed<'de>> DeserializeSeed<'de> for GuidedSeed<'a, S> {
    type Value = S::Value;

    #[inline(always)]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Guided {
            de: deserializer,
            at: self.at,
        })
    }
}
