//! Arrays, objects and externally tagged enums, read through the plan.

use std::fmt;

use serde::de::value::{BorrowedStrDeserializer, StrDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};

use super::cursor::{Cursor, reject};
use super::distinct::Distinct;
use super::guided::{Guided, GuidedSeed};
use super::node::{Additional, Node, NodeId, Tagged, Variant};
use super::watchers::{TagWatch, WatchedSeed};

/// What a [`GuidedSeq`] remembers of the items it has read: nothing
/// (`()`), or their hashes ([`Distinct`], for `uniqueItems`). A type rather
/// than an `Option`, so that the common array costs nothing for it.
pub(super) trait Track {
    const NONE: bool;
    fn distinct(&mut self) -> Option<&mut Distinct>;
}

impl Track for () {
    const NONE: bool = true;

    #[inline(always)]
    fn distinct(&mut self) -> Option<&mut Distinct> {
        None
    }
}

impl Track for Distinct {
    const NONE: bool = false;

    fn distinct(&mut self) -> Option<&mut Distinct> {
        Some(self)
    }
}

pub(super) struct GuidedSeq<'p, A, T: Track = ()> {
    pub(super) seq: A,
    /// The nodes of the first items, for a tuple.
    pub(super) prefix: &'p [NodeId],
    /// The items after those.
    pub(super) items: Cursor<'p>,
    pub(super) count: u64,
    pub(super) max: Option<u64>,
    /// `uniqueItems`: the items read so far.
    pub(super) distinct: T,
}

impl<'de, 'p, A: SeqAccess<'de>, T: Track> SeqAccess<'de> for GuidedSeq<'p, A, T> {
    type Error = A::Error;

    #[inline(always)]
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        let result = if self.prefix.is_empty() && T::NONE {
            self.seq.next_element_seed(GuidedSeed {
                seed,
                at: &self.items,
            })
        } else {
            self.next_tuple_or_distinct(seed)
        };
        if matches!(result, Ok(Some(_))) {
            self.count += 1;
            if self.max.is_some_and(|max| self.count > max) {
                self.items.refuse();
            }
        }
        result
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

impl<'de, 'p, A: SeqAccess<'de>, T: Track> GuidedSeq<'p, A, T> {
    /// The next item of a tuple, or of an array whose items must differ.
    #[inline(never)]
    fn next_tuple_or_distinct<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        let at = self.tuple_item();
        match self.distinct.distinct() {
            None => self.seq.next_element_seed(GuidedSeed { seed, at: &at }),
            Some(distinct) => {
                let result = self.seq.next_element_seed(distinct.seed(seed, &at));
                if matches!(result, Ok(Some(_))) && !distinct.take() {
                    at.refuse();
                }
                result
            }
        }
    }
}

impl<'p, A, T: Track> GuidedSeq<'p, A, T> {
    /// The cursor of the next item of a tuple (of any array, past its
    /// prefix).
    #[inline(always)]
    pub(super) fn tuple_item(&self) -> Cursor<'p> {
        match usize::try_from(self.count)
            .ok()
            .and_then(|index| self.prefix.get(index))
        {
            Some(&node) => self.items.at(node),
            None => self.items,
        }
    }
}

pub(super) struct GuidedMap<'p, A> {
    pub(super) map: A,
    pub(super) keys: Keys<'p>,
    /// A union whose tag is still to be read: it must be the first key,
    /// and the next value is the tag's.
    pub(super) union: Option<&'p Tagged>,
    pub(super) seen: u64,
    pub(super) count: u64,
    /// Where the next value is: the children's cursor, whose node is
    /// replaced per key (also the cursor refusals and nodes are reached
    /// through, so that the map, which serde's visitor reaches through a
    /// pointer, holds one cursor rather than two).
    pub(super) value_at: Cursor<'p>,
}

/// [`Keys::found`] when the last key named no property.
pub(super) const NO_PROPERTY: usize = usize::MAX;

/// Finds the property a key names, as the key is read.
pub(super) struct Keys<'p> {
    /// The node whose properties apply (a union's branch once its tag is
    /// read).
    pub(super) object: &'p Node,
    /// The property expected next: keys usually come in schema order.
    pub(super) guess: usize,
    /// The index of the property the last key names, or [`NO_PROPERTY`]
    /// (also when it was not read as a string).
    pub(super) found: usize,
}

impl<'de, 'p, A: MapAccess<'de>> MapAccess<'de> for GuidedMap<'p, A> {
    type Error = A::Error;

    #[inline(always)]
    fn next_key_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        self.keys.found = NO_PROPERTY;
        let result = self.map.next_key_seed(WatchedSeed {
            seed,
            watch: &mut self.keys,
        });
        if matches!(result, Ok(Some(_))) {
            self.take_key();
        }
        result
    }

    #[inline(always)]
    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        // serde_json's own map refuses a value that follows no key.
        // Matched by value, not taken: the common value (no union) then
        // writes nothing back.
        match self.union {
            None => self.map.next_value_seed(GuidedSeed {
                seed,
                at: &self.value_at,
            }),
            Some(union) => self.next_tag_value(seed, union),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

impl<'de, 'p, A: MapAccess<'de>> GuidedMap<'p, A> {
    /// The value of a union's tag, which picks the branch whose properties
    /// apply to the rest of the object. Out of line, so that the common
    /// value's code stays small enough to be inlined into serde's visitor.
    #[inline(never)]
    fn next_tag_value<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
        union: &'p Tagged,
    ) -> Result<S::Value, A::Error> {
        self.union = None;
        // The union's only property is its tag, which must come first, and
        // the union's own `maxProperties` applies to that key alone.
        self.value_at
            .require(self.keys.found == 0 && self.count <= self.keys.object.max_properties);
        let mut picked = None;
        let result = self.map.next_value_seed(WatchedSeed {
            seed,
            watch: TagWatch {
                choices: &union.branches,
                picked: &mut picked,
            },
        });
        match picked {
            Some(picked) => {
                let branch = self.value_at.at(picked.node).node;
                self.keys.object = branch;
                self.keys.guess = picked.tag_index + 1;
                self.seen |= 1 << picked.tag_index;
            }
            None => self.value_at.refuse(),
        }
        result
    }
}

impl<A> GuidedMap<'_, A> {
    /// Counts the key just read and picks its value's node. The count is
    /// held against `maxProperties` once the object is read (the walk goes
    /// on after a refusal anyway), and a union's tag key in
    /// [`next_tag_value`](Self::next_tag_value).
    #[inline(always)]
    pub(super) fn take_key(&mut self) {
        self.count += 1;
        let object = self.keys.object;
        let index = self.keys.found;
        // One comparison for both: `NO_PROPERTY` is past every property.
        if let Some(&target) = object.property_targets.get(index) {
            self.seen |= 1 << index;
            self.value_at.move_to(target);
            return;
        }
        let at = &self.value_at;
        let any = at.plan().any;
        self.value_at = match object.additional {
            Additional::Any => at.at(any),
            Additional::Deny => {
                at.refuse();
                at.at(any)
            }
            Additional::Node(node) => at.at(node),
        };
    }
}

/// Reads an externally tagged enum: a unit variant from a string, a data
/// variant from an object with one key.
pub(super) struct ExternalVisitor<'a, V> {
    pub(super) visitor: V,
    pub(super) at: &'a Cursor<'a>,
}

impl<'de, 'a, V: Visitor<'de>> Visitor<'de> for ExternalVisitor<'a, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<V::Value, E> {
        UnitVariantVisitor {
            visitor: self.visitor,
            at: self.at,
        }
        .visit_borrowed_str(value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<V::Value, E> {
        UnitVariantVisitor {
            visitor: self.visitor,
            at: self.at,
        }
        .visit_str(value)
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<V::Value, E> {
        UnitVariantVisitor {
            visitor: self.visitor,
            at: self.at,
        }
        .visit_string(value)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let variants = &self.at.non_null().variants;
        self.visitor.visit_enum(ExternalAccess {
            map,
            variants,
            at: self.at.open(),
        })
    }
}

/// `{"<name>": <value>}` as serde's enum access.
pub(super) struct ExternalAccess<'p, A> {
    pub(super) map: A,
    pub(super) variants: &'p [Variant],
    /// Inside the object.
    pub(super) at: Cursor<'p>,
}

impl<'de, 'p, A: MapAccess<'de>> EnumAccess<'de> for ExternalAccess<'p, A> {
    type Error = A::Error;
    type Variant = ExternalVariant<'p, A>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        mut self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let mut picked = None;
        let name = self
            .map
            .next_key_seed(WatchedSeed {
                seed,
                watch: TagWatch {
                    choices: self.variants,
                    picked: &mut picked,
                },
            })?
            .ok_or_else(reject)?;
        let at = match picked {
            Some(variant) => self.at.at(variant.node),
            None => {
                self.at.refuse();
                self.at.at(self.at.plan().any)
            }
        };
        Ok((name, ExternalVariant { map: self.map, at }))
    }
}

pub(super) struct ExternalVariant<'p, A> {
    pub(super) map: A,
    /// The variant's value.
    pub(super) at: Cursor<'p>,
}

impl<'de, A: MapAccess<'de>> ExternalVariant<'_, A> {
    /// The object must end after the variant's value.
    pub(super) fn end(mut self) -> Result<(), A::Error> {
        if self.map.next_key::<de::IgnoredAny>()?.is_some() {
            self.at.refuse();
        }
        Ok(())
    }
}

impl<'de, A: MapAccess<'de>> de::VariantAccess<'de> for ExternalVariant<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        // Unit variants are strings, never `{"<name>": null}`; only data
        // variants are in the object form's choices anyway.
        Err(reject())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(
        mut self,
        seed: S,
    ) -> Result<S::Value, A::Error> {
        let value = self
            .map
            .next_value_seed(GuidedSeed { seed, at: &self.at })?;
        self.end()?;
        Ok(value)
    }

    fn tuple_variant<V: Visitor<'de>>(
        mut self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let value = self.map.next_value_seed(VariantValueSeed {
            shape: VariantShape::Tuple(len),
            visitor,
            at: &self.at,
        })?;
        self.end()?;
        Ok(value)
    }

    fn struct_variant<V: Visitor<'de>>(
        mut self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let value = self.map.next_value_seed(VariantValueSeed {
            shape: VariantShape::Struct(fields),
            visitor,
            at: &self.at,
        })?;
        self.end()?;
        Ok(value)
    }
}

pub(super) enum VariantShape {
    Tuple(usize),
    Struct(&'static [&'static str]),
}

/// The value of a tuple or struct variant, read through the plan.
pub(super) struct VariantValueSeed<'a, V> {
    pub(super) shape: VariantShape,
    pub(super) visitor: V,
    pub(super) at: &'a Cursor<'a>,
}

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for VariantValueSeed<'_, V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        let guided = Guided {
            de: deserializer,
            at: self.at,
        };
        match self.shape {
            VariantShape::Tuple(len) => guided.deserialize_tuple(len, self.visitor),
            VariantShape::Struct(fields) => guided.deserialize_struct("", fields, self.visitor),
        }
    }
}

/// Reads a unit variant from a string only.
pub(super) struct UnitVariantVisitor<'a, V> {
    pub(super) visitor: V,
    pub(super) at: &'a Cursor<'a>,
}

impl<'de, 'a, V: Visitor<'de>> Visitor<'de> for UnitVariantVisitor<'a, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<V::Value, E> {
        self.at.check_string(value);
        self.visitor.visit_enum(BorrowedStrDeserializer::new(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<V::Value, E> {
        self.at.check_string(value);
        self.visitor.visit_enum(StrDeserializer::new(value))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<V::Value, E> {
        self.at.check_string(&value);
        self.visitor.visit_enum(StringDeserializer::new(value))
    }
}
