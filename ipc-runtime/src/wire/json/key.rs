//! Map keys: JSON has only string keys, so serde_json writes a string, or
//! an integer inside quotes; the writer does the same and declines any
//! other key.

use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::ser::CompactFormatter as Json;
use serde_json::ser::Formatter;

use super::{Declined, is_serde_json_token, push_formatted, push_string};

/// A map key: a string, or an integer written as one (any integer: a key
/// is never read as a number). Any other key is left to serde_json.
pub(super) struct KeyWriter<'a>(pub(super) &'a mut String);

macro_rules! integer_keys {
    ($($method:ident($ty:ty) => $write:ident),* $(,)?) => {
        $(
            fn $method(self, value: $ty) -> Result<(), Declined> {
                self.0.push('"');
                push_formatted(self.0, |digits| Json.$write(digits, value))?;
                self.0.push('"');
                Ok(())
            }
        )*
    };
}

macro_rules! declined {
    ($($method:ident($($ty:ty),*)),* $(,)?) => {
        $(
            fn $method(self, $(_: $ty),*) -> Result<(), Declined> {
                Err(Declined)
            }
        )*
    };
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = Declined;
    type SerializeSeq = Impossible<(), Declined>;
    type SerializeTuple = Impossible<(), Declined>;
    type SerializeTupleStruct = Impossible<(), Declined>;
    type SerializeTupleVariant = Impossible<(), Declined>;
    type SerializeMap = Impossible<(), Declined>;
    type SerializeStruct = Impossible<(), Declined>;
    type SerializeStructVariant = Impossible<(), Declined>;

    fn serialize_str(self, value: &str) -> Result<(), Declined> {
        push_string(self.0, value);
        Ok(())
    }

    fn serialize_char(self, value: char) -> Result<(), Declined> {
        push_string(self.0, value.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    integer_keys!(
        serialize_i8(i8) => write_i8,
        serialize_i16(i16) => write_i16,
        serialize_i32(i32) => write_i32,
        serialize_i64(i64) => write_i64,
        serialize_i128(i128) => write_i128,
        serialize_u8(u8) => write_u8,
        serialize_u16(u16) => write_u16,
        serialize_u32(u32) => write_u32,
        serialize_u64(u64) => write_u64,
        serialize_u128(u128) => write_u128,
    );

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Declined> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Declined> {
        if is_serde_json_token(name) {
            return Err(Declined);
        }
        value.serialize(self)
    }

    declined!(
        serialize_bool(bool),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Declined> {
        Err(Declined)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Declined> {
        Err(Declined)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Declined> {
        Err(Declined)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Declined> {
        Err(Declined)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Declined> {
        Err(Declined)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Declined> {
        Err(Declined)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Declined> {
        Err(Declined)
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Declined> {
        Err(Declined)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Declined> {
        Err(Declined)
    }
}
