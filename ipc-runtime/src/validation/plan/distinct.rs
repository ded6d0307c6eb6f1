//! `uniqueItems`: the items of an array are told apart as serde reads them.
//!
//! Each item that is a scalar is hashed as it is read, and the hashes must
//! all differ. Equal JSON values always hash alike (numbers are hashed by
//! their `f64` value, which equal numbers share, and `-0` as `0`), so
//! distinct hashes prove distinct items; two equal hashes, or an item that
//! is an array or an object, refuse the payload and the validator decides.
//! A hash collision thus costs time, never a wrong verdict.

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};

use super::cursor::Cursor;
use super::guided::Guided;

/// The items of one array seen so far.
pub(super) struct Distinct {
    /// The hashes of the first items, looked through one by one: inline,
    /// as growing a vector for them cost more than all the hashing.
    few: [u64; FEW],
    /// How many of `few` are taken.
    len: usize,
    /// Past [`FEW`] items, all of them.
    many: HashSet<u64, BuildHasherDefault<Spread>>,
    /// The hash of the item being read.
    hash: Cell<u64>,
    /// Whether that item is an array or an object.
    container: Cell<bool>,
}

impl Default for Distinct {
    fn default() -> Distinct {
        Distinct {
            few: [0; FEW],
            len: 0,
            many: HashSet::default(),
            hash: Cell::new(0),
            container: Cell::new(false),
        }
    }
}

impl Distinct {
    /// A seed that reads the next item through `at`, hashing it.
    pub(super) fn seed<'a, S>(&'a self, seed: S, at: &'a Cursor<'a>) -> HashedSeed<'a, S> {
        self.container.set(false);
        HashedSeed {
            seed,
            at,
            slot: self,
        }
    }

    /// Whether the item just read is a scalar no earlier item equals (as
    /// far as the hashes tell).
    pub(super) fn take(&mut self) -> bool {
        if self.container.get() {
            return false;
        }
        let hash = self.hash.get();
        if self.many.is_empty() {
            let few = &mut self.few[..self.len];
            if few.contains(&hash) {
                return false;
            }
            if self.len < FEW {
                self.few[self.len] = hash;
                self.len += 1;
                return true;
            }
            self.many.extend(self.few);
        }
        self.many.insert(hash)
    }
}

/// Up to this many items, a scan of their hashes costs less than a set.
const FEW: usize = 32;

/// The hashes are already spread: the set's hasher passes them on.
#[derive(Default)]
struct Spread(u64);

impl Hasher for Spread {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(MULTIPLIER);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

const MULTIPLIER: u64 = 0x517c_c1b7_2722_0a95;

/// splitmix64's finalizer: every input bit moves every output bit.
fn spread(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const NULL_HASH: u64 = 0x6e75_6c6c;
const TRUE_HASH: u64 = 0x7472_7565;
const FALSE_HASH: u64 = 0x6661_6c73;

fn hash_number(value: f64) -> u64 {
    // `-0` equals `0`.
    let value = if value == 0.0 { 0.0 } else { value };
    spread(value.to_bits() ^ 0x6e75_6d62_6572)
}

fn hash_str(text: &str) -> u64 {
    let mut hash = text.len() as u64 ^ 0x7374_7269_6e67;
    let mut chunks = text.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(MULTIPLIER);
    }
    let mut word = [0; 8];
    word[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(MULTIPLIER);
    spread(hash)
}

pub(super) struct HashedSeed<'a, S> {
    seed: S,
    at: &'a Cursor<'a>,
    slot: &'a Distinct,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for HashedSeed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        // Outside the guided layer, to see the value as JSON wrote it (an
        // integral float is still a float here).
        self.seed.deserialize(Guided {
            de: Hashed {
                de: deserializer,
                slot: self.slot,
            },
            at: self.at,
        })
    }
}

struct Hashed<'a, D> {
    de: D,
    slot: &'a Distinct,
}

struct HashedVisitor<'a, V> {
    visitor: V,
    slot: &'a Distinct,
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Hashed<'_, D> {
    type Error = D::Error;

    forward_every_method!(HashedVisitor { slot });
}

impl<V> HashedVisitor<'_, V> {
    fn record(&self, hash: u64) {
        self.slot.hash.set(hash);
    }

    fn container(&self) {
        self.slot.container.set(true);
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for HashedVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<V::Value, E> {
        self.record(if value { TRUE_HASH } else { FALSE_HASH });
        self.visitor.visit_bool(value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<V::Value, E> {
        self.record(hash_number(value as f64));
        self.visitor.visit_i64(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<V::Value, E> {
        self.record(hash_number(value as f64));
        self.visitor.visit_u64(value)
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<V::Value, E> {
        self.record(hash_number(value as f64));
        self.visitor.visit_i128(value)
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<V::Value, E> {
        self.record(hash_number(value as f64));
        self.visitor.visit_u128(value)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<V::Value, E> {
        self.record(hash_number(value));
        self.visitor.visit_f64(value)
    }

    fn visit_char<E: de::Error>(self, value: char) -> Result<V::Value, E> {
        self.record(hash_str(value.encode_utf8(&mut [0; 4])));
        self.visitor.visit_char(value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<V::Value, E> {
        self.record(hash_str(value));
        self.visitor.visit_str(value)
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<V::Value, E> {
        self.record(hash_str(value));
        self.visitor.visit_borrowed_str(value)
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<V::Value, E> {
        self.record(hash_str(&value));
        self.visitor.visit_string(value)
    }

    // JSON has no bytes: serde_json gives a string's bytes only when asked
    // for bytes, and those are the string's.
    fn visit_bytes<E: de::Error>(self, value: &[u8]) -> Result<V::Value, E> {
        self.container();
        self.visitor.visit_bytes(value)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, value: &'de [u8]) -> Result<V::Value, E> {
        self.container();
        self.visitor.visit_borrowed_bytes(value)
    }

    fn visit_byte_buf<E: de::Error>(self, value: Vec<u8>) -> Result<V::Value, E> {
        self.container();
        self.visitor.visit_byte_buf(value)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.record(NULL_HASH);
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.record(NULL_HASH);
        self.visitor.visit_unit()
    }

    fn visit_some<D2: Deserializer<'de>>(self, deserializer: D2) -> Result<V::Value, D2::Error> {
        self.visitor.visit_some(Hashed {
            de: deserializer,
            slot: self.slot,
        })
    }

    fn visit_newtype_struct<D2: Deserializer<'de>>(
        self,
        deserializer: D2,
    ) -> Result<V::Value, D2::Error> {
        self.visitor.visit_newtype_struct(Hashed {
            de: deserializer,
            slot: self.slot,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.container();
        self.visitor.visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.container();
        self.visitor.visit_map(map)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.container();
        self.visitor.visit_enum(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_numbers_hash_alike() {
        assert_eq!(hash_number(1.0), hash_number(f64::from(1_u32)));
        assert_eq!(hash_number(-0.0), hash_number(0.0));
        assert_ne!(hash_number(1.0), hash_number(2.0));
        assert_ne!(hash_str("a"), hash_str("b"));
        assert_ne!(hash_str("abcdefgh"), hash_str("abcdefgh\0"));
    }
}
