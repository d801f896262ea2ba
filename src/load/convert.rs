//! Conversions of exactly the Arrow types the data contract accepts ([`crate::contract::Kind`])
//! into the plain columns the models scan. They replace Arrow's generic `cast` kernel, which
//! links every type pair (decimals, dictionaries of everything, lists, …) into the page's wasm.
//!
//! Every function accepts the type `Null` (an absent optional column) and a dictionary (any key
//! width) whose value type it accepts; anything else is an error string naming the type (callers
//! wrap it into [`crate::LoadError::Corrupt`] — the decoder's type check refuses off-contract
//! types with `WrongType` before they get here).

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrowPrimitiveType, Int64Array, LargeStringArray, StringArray, StringViewArray};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, TimeUnit};

/// Appends the primitive array `a` mapped by `f` to `out`, `null` for a null slot.
fn primitive_into<T: ArrowPrimitiveType, R: Copy>(a: &dyn Array, null: R, out: &mut Vec<R>, f: impl Fn(T::Native) -> R) {
    let p = a.as_primitive::<T>();
    let start = out.len();
    out.extend(p.values().iter().map(|&v| f(v)));
    if let Some(nulls) = p.nulls().filter(|n| n.null_count() > 0) {
        set_nulls(nulls, null, &mut out[start..]);
    }
}

/// Sets `out[i] = null` where `nulls` marks row `i` null, 64 rows per validity word.
fn set_nulls<R: Copy>(nulls: &NullBuffer, null: R, out: &mut [R]) {
    let len = out.len().min(nulls.len());
    for (w, word) in nulls.inner().bit_chunks().iter_padded().enumerate() {
        let mut missing = !word;
        while missing != 0 {
            let i = w * 64 + missing.trailing_zeros() as usize;
            if i >= len {
                break;
            }
            out[i] = null;
            missing &= missing - 1;
        }
    }
}

/// Appends a dictionary array's rows to `out`: its values converted once by `values_into`, then
/// looked up by key; a null key gives `null`.
fn dictionary_into<R: Copy>(
    a: &dyn Array,
    null: R,
    out: &mut Vec<R>,
    values_into: impl Fn(&dyn Array, &mut Vec<R>) -> Result<(), String>,
) -> Result<(), String> {
    let d = a.as_any_dictionary();
    if d.values().is_empty() {
        // No values: every key is null (Arrow validates the keys against the values).
        out.extend(std::iter::repeat_n(null, a.len()));
        return Ok(());
    }
    let mut values = Vec::with_capacity(d.values().len());
    values_into(d.values().as_ref(), &mut values)?;
    let key_nulls = d.keys().nulls().filter(|n| n.null_count() > 0);
    let keys = d.normalized_keys();
    out.reserve(keys.len());
    for (i, &k) in keys.iter().enumerate() {
        if key_nulls.is_some_and(|n| n.is_null(i)) {
            out.push(null);
        } else {
            // `normalized_keys` clamps into the values (Arrow validated them already).
            out.push(values[k]);
        }
    }
    Ok(())
}

fn unexpected(t: &DataType) -> String {
    format!("unexpected type {t}")
}

/// Appends a numeric column (any integer width, signed or not; float16/32/64; a dictionary of
/// those; `Null`) to `out` as f64, NaN for null. Integers convert as Rust's `as` (nearest f64).
pub(crate) fn f64_into(a: &dyn Array, out: &mut Vec<f64>) -> Result<(), String> {
    const N: f64 = f64::NAN;
    match a.data_type() {
        DataType::Null => out.extend(std::iter::repeat_n(N, a.len())),
        DataType::Int8 => primitive_into::<Int8Type, _>(a, N, out, |v| v as f64),
        DataType::Int16 => primitive_into::<Int16Type, _>(a, N, out, |v| v as f64),
        DataType::Int32 => primitive_into::<Int32Type, _>(a, N, out, |v| v as f64),
        DataType::Int64 => primitive_into::<Int64Type, _>(a, N, out, |v| v as f64),
        DataType::UInt8 => primitive_into::<UInt8Type, _>(a, N, out, |v| v as f64),
        DataType::UInt16 => primitive_into::<UInt16Type, _>(a, N, out, |v| v as f64),
        DataType::UInt32 => primitive_into::<UInt32Type, _>(a, N, out, |v| v as f64),
        DataType::UInt64 => primitive_into::<UInt64Type, _>(a, N, out, |v| v as f64),
        DataType::Float16 => primitive_into::<Float16Type, _>(a, N, out, f64::from),
        DataType::Float32 => primitive_into::<Float32Type, _>(a, N, out, f64::from),
        DataType::Float64 => primitive_into::<Float64Type, _>(a, N, out, |v| v),
        DataType::Dictionary(..) => dictionary_into(a, N, out, f64_into)?,
        t => return Err(unexpected(t)),
    }
    Ok(())
}

/// Appends an integer column (any width, signed or not; a dictionary of those; `Null`) to `out`
/// as i64, 0 for null. A uint64 value above `i64::MAX` is an error.
pub(crate) fn i64_into(a: &dyn Array, out: &mut Vec<i64>) -> Result<(), String> {
    match a.data_type() {
        DataType::Null => out.extend(std::iter::repeat_n(0, a.len())),
        DataType::Int8 => primitive_into::<Int8Type, _>(a, 0, out, i64::from),
        DataType::Int16 => primitive_into::<Int16Type, _>(a, 0, out, i64::from),
        DataType::Int32 => primitive_into::<Int32Type, _>(a, 0, out, i64::from),
        DataType::Int64 => primitive_into::<Int64Type, _>(a, 0, out, |v| v),
        DataType::UInt8 => primitive_into::<UInt8Type, _>(a, 0, out, i64::from),
        DataType::UInt16 => primitive_into::<UInt16Type, _>(a, 0, out, i64::from),
        DataType::UInt32 => primitive_into::<UInt32Type, _>(a, 0, out, i64::from),
        DataType::UInt64 => {
            let p = a.as_primitive::<UInt64Type>();
            if let Some(v) = p.iter().flatten().find(|&v| v > i64::MAX as u64) {
                return Err(format!("value {v} does not fit in int64"));
            }
            primitive_into::<UInt64Type, _>(a, 0, out, |v| v as i64)
        }
        DataType::Dictionary(..) => dictionary_into(a, 0, out, i64_into)?,
        t => return Err(unexpected(t)),
    }
    Ok(())
}

/// Appends a boolean column (boolean, a dictionary of booleans, `Null`) to `out`, false for null.
pub(crate) fn bool_into(a: &dyn Array, out: &mut Vec<bool>) -> Result<(), String> {
    match a.data_type() {
        DataType::Null => out.extend(std::iter::repeat_n(false, a.len())),
        DataType::Boolean => {
            let b = a.as_boolean();
            match b.nulls().filter(|n| n.null_count() > 0) {
                None => out.extend(b.values().iter()),
                Some(n) => out.extend(b.values().iter().zip(n.iter()).map(|(v, valid)| v && valid)),
            }
        }
        DataType::Dictionary(..) => dictionary_into(a, false, out, bool_into)?,
        t => return Err(unexpected(t)),
    }
    Ok(())
}

/// How many units of a timestamp type make one day; `None` for a type that is not a timestamp.
pub(crate) fn units_per_day(t: &DataType) -> Option<i64> {
    match t {
        DataType::Timestamp(TimeUnit::Second, _) => Some(86_400),
        DataType::Timestamp(TimeUnit::Millisecond, _) => Some(86_400_000),
        DataType::Timestamp(TimeUnit::Microsecond, _) => Some(86_400_000_000),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => Some(86_400_000_000_000),
        _ => None,
    }
}

/// A timestamp column (any unit, any or no time zone; a dictionary of timestamps; `Null`) →
/// (its raw values in its unit with its validity; units per day — 1 for `Null`). Time zones do
/// not matter: Arrow stores instants as UTC epoch offsets, and a naive timestamp reads as UTC. A
/// plain timestamp column is not copied (the result shares its buffers).
pub(crate) fn timestamps(a: &dyn Array) -> Result<(Int64Array, i64), String> {
    let t = a.data_type();
    if let Some(per_day) = units_per_day(t) {
        let data = a.to_data();
        let values = arrow_buffer::ScalarBuffer::<i64>::new(data.buffers()[0].clone(), data.offset(), data.len());
        return Ok((Int64Array::new(values, data.nulls().cloned()), per_day));
    }
    match t {
        DataType::Null => Ok((Int64Array::new_null(a.len()), 1)),
        DataType::Dictionary(_, v) => {
            let per_day = units_per_day(v).ok_or_else(|| unexpected(t))?;
            let d = a.as_any_dictionary();
            if d.values().is_empty() {
                return Ok((Int64Array::new_null(a.len()), per_day));
            }
            let (values, _) = timestamps(d.values().as_ref())?;
            let key_nulls = d.keys().nulls().filter(|n| n.null_count() > 0);
            let keys = d.normalized_keys();
            let mut out = Vec::with_capacity(keys.len());
            for (i, &k) in keys.iter().enumerate() {
                let null = key_nulls.is_some_and(|n| n.is_null(i));
                out.push(if null || values.is_null(k) { None } else { Some(values.value(k)) });
            }
            Ok((Int64Array::from(out), per_day))
        }
        _ => Err(unexpected(t)),
    }
}

/// A text view of a string or id column: utf8, large utf8, utf8 view, integers (read as their
/// decimal text), a dictionary (any key width) of those, or `Null` (all null). Borrowed string
/// columns are not copied; integers are formatted once.
pub(crate) enum Text<'a> {
    /// An all-null column of this many rows.
    Null(usize),
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
    /// Integers formatted as decimal text.
    Owned(StringArray),
    /// A dictionary: normalised keys, their nulls, and the values as text.
    Dict { keys: Vec<usize>, key_nulls: Option<NullBuffer>, values: Box<Text<'a>> },
}

/// The decimal text of each value of an integer array (null stays null).
fn format_ints<T: ArrowPrimitiveType>(a: &dyn Array) -> StringArray
where
    T::Native: std::fmt::Display,
{
    use std::fmt::Write;
    let p = a.as_primitive::<T>();
    let mut b = arrow_array::builder::StringBuilder::with_capacity(p.len(), p.len() * 8);
    let mut s = String::new();
    for v in p.iter() {
        match v {
            Some(v) => {
                s.clear();
                let _ = write!(s, "{v}");
                b.append_value(&s);
            }
            None => b.append_null(),
        }
    }
    b.finish()
}

impl<'a> Text<'a> {
    /// The text view of `a`; an error for a type that is not text or an integer.
    pub fn new(a: &'a dyn Array) -> Result<Self, String> {
        Ok(match a.data_type() {
            DataType::Null => Text::Null(a.len()),
            DataType::Utf8 => Text::Utf8(a.as_string::<i32>()),
            DataType::LargeUtf8 => Text::Large(a.as_string::<i64>()),
            DataType::Utf8View => Text::View(a.as_string_view()),
            DataType::Int8 => Text::Owned(format_ints::<Int8Type>(a)),
            DataType::Int16 => Text::Owned(format_ints::<Int16Type>(a)),
            DataType::Int32 => Text::Owned(format_ints::<Int32Type>(a)),
            DataType::Int64 => Text::Owned(format_ints::<Int64Type>(a)),
            DataType::UInt8 => Text::Owned(format_ints::<UInt8Type>(a)),
            DataType::UInt16 => Text::Owned(format_ints::<UInt16Type>(a)),
            DataType::UInt32 => Text::Owned(format_ints::<UInt32Type>(a)),
            DataType::UInt64 => Text::Owned(format_ints::<UInt64Type>(a)),
            DataType::Dictionary(..) => {
                let d = a.as_any_dictionary();
                if d.values().is_empty() {
                    // No values: every key is null (Arrow validates the keys against the values).
                    return Ok(Text::Null(a.len()));
                }
                let values = Box::new(Text::new(d.values().as_ref())?);
                let keys = d.normalized_keys();
                let key_nulls = d.keys().nulls().filter(|n| n.null_count() > 0).cloned();
                Text::Dict { keys, key_nulls, values }
            }
            t => return Err(unexpected(t)),
        })
    }

    /// Rows.
    pub fn len(&self) -> usize {
        match self {
            Text::Null(n) => *n,
            Text::Utf8(a) => a.len(),
            Text::Large(a) => a.len(),
            Text::View(a) => a.len(),
            Text::Owned(a) => a.len(),
            Text::Dict { keys, .. } => keys.len(),
        }
    }

    /// The text of row `i`, `None` when null. Panics if `i >= len()`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&str> {
        match self {
            Text::Null(_) => None,
            Text::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Text::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Text::View(a) => a.is_valid(i).then(|| a.value(i)),
            Text::Owned(a) => a.is_valid(i).then(|| a.value(i)),
            Text::Dict { keys, key_nulls, values } => {
                if key_nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    None
                } else {
                    values.get(keys[i])
                }
            }
        }
    }

    /// Appends every row to `b` (null as null).
    pub fn append_to(&self, b: &mut arrow_array::builder::StringBuilder) {
        for i in 0..self.len() {
            b.append_option(self.get(i));
        }
    }
}

#[cfg(test)]
mod tests {
    //! Each conversion is checked against Arrow's generic `cast` (what the loader used before)
    //! on every accepted type, with nulls and dictionaries.
    use super::*;
    use arrow_array::{ArrayRef, BooleanArray, DictionaryArray, Float64Array, new_null_array};
    use arrow_cast::{CastOptions, cast_with_options};
    use std::sync::Arc;

    fn cast(a: &ArrayRef, to: &DataType) -> ArrayRef {
        cast_with_options(a, to, &CastOptions { safe: false, ..Default::default() }).unwrap()
    }

    fn numbers() -> Vec<ArrayRef> {
        let base: ArrayRef = Arc::new(arrow_array::Int64Array::from(vec![Some(1), None, Some(-3), Some(120), Some(0)]));
        let mut v: Vec<ArrayRef> = [
            DataType::Int8,
            DataType::Int16,
            DataType::Int32,
            DataType::Int64,
            DataType::Float16,
            DataType::Float32,
            DataType::Float64,
        ]
        .iter()
        .map(|t| cast(&base, t))
        .collect();
        let unsigned: ArrayRef = Arc::new(arrow_array::UInt64Array::from(vec![Some(1), None, Some(3), Some(120), Some(0)]));
        for t in [DataType::UInt8, DataType::UInt16, DataType::UInt32, DataType::UInt64] {
            v.push(cast(&unsigned, &t));
        }
        v.push(Arc::new(Float64Array::from(vec![Some(1.5), None, Some(f64::NAN), Some(-2.25)])));
        // Dictionaries (with a null key and a null value).
        let keys = arrow_array::Int8Array::from(vec![Some(0), None, Some(1), Some(2), Some(0)]);
        let values: ArrayRef = Arc::new(arrow_array::Float32Array::from(vec![Some(2.5), None, Some(7.0)]));
        v.push(Arc::new(DictionaryArray::new(keys, values)));
        let keys = arrow_array::UInt32Array::from(vec![Some(1), Some(0)]);
        let values: ArrayRef = Arc::new(arrow_array::Int16Array::from(vec![Some(-4), Some(9)]));
        v.push(Arc::new(DictionaryArray::new(keys, values)));
        v.push(new_null_array(&DataType::Null, 3));
        let keys = arrow_array::Int32Array::from(vec![None, None]);
        v.push(Arc::new(DictionaryArray::new(keys, Arc::new(arrow_array::Int64Array::from(Vec::<i64>::new())))));
        // A slice (non-zero offset); a long one with nulls in several validity words.
        v.push(v[3].slice(1, 3));
        let long: ArrayRef = Arc::new(arrow_array::Int32Array::from_iter((0..300).map(|i| (i % 7 != 3).then_some(i))));
        v.push(long.slice(5, 290));
        v
    }

    #[test]
    fn f64_matches_arrow_cast_with_nan_for_null() {
        for a in numbers() {
            let mut got = vec![42.0];
            f64_into(a.as_ref(), &mut got).unwrap();
            let want = cast(&a, &DataType::Float64);
            let want = want.as_primitive::<Float64Type>();
            assert_eq!(got.len(), 1 + a.len(), "{}", a.data_type());
            assert_eq!(got[0], 42.0);
            for (i, g) in got[1..].iter().enumerate() {
                match want.is_valid(i).then(|| want.value(i)) {
                    Some(w) if w.is_nan() => assert!(g.is_nan()),
                    Some(w) => assert_eq!(*g, w, "{} row {i}", a.data_type()),
                    None => assert!(g.is_nan(), "{} row {i}: {g}", a.data_type()),
                }
            }
        }
    }

    #[test]
    fn i64_matches_arrow_cast_with_zero_for_null() {
        for a in numbers().into_iter().filter(|a| {
            let t = match a.data_type() {
                DataType::Dictionary(_, v) => v.as_ref(),
                t => t,
            };
            t.is_integer() || *t == DataType::Null
        }) {
            let mut got = Vec::new();
            i64_into(a.as_ref(), &mut got).unwrap();
            let want = cast(&a, &DataType::Int64);
            let want = want.as_primitive::<Int64Type>();
            let want: Vec<i64> = want.iter().map(|v| v.unwrap_or(0)).collect();
            assert_eq!(got, want, "{}", a.data_type());
        }
        let too_big: ArrayRef = Arc::new(arrow_array::UInt64Array::from(vec![u64::MAX]));
        assert!(i64_into(too_big.as_ref(), &mut Vec::new()).unwrap_err().contains("18446744073709551615"));
        let text: ArrayRef = Arc::new(StringArray::from(vec!["1"]));
        assert_eq!(i64_into(text.as_ref(), &mut Vec::new()).unwrap_err(), "unexpected type Utf8");
        assert!(f64_into(text.as_ref(), &mut Vec::new()).is_err());
    }

    #[test]
    fn booleans_with_false_for_null() {
        let b: ArrayRef = Arc::new(BooleanArray::from(vec![Some(true), None, Some(false), Some(true)]));
        let mut got = Vec::new();
        bool_into(b.as_ref(), &mut got).unwrap();
        bool_into(b.slice(1, 3).as_ref(), &mut got).unwrap();
        let keys = arrow_array::Int32Array::from(vec![Some(1), None, Some(0)]);
        let d: ArrayRef = Arc::new(DictionaryArray::new(keys, b.slice(0, 2)));
        bool_into(d.as_ref(), &mut got).unwrap();
        bool_into(new_null_array(&DataType::Null, 1).as_ref(), &mut got).unwrap();
        assert_eq!(got, [true, false, false, true, false, false, true, false, false, true, false]);
    }

    #[test]
    fn timestamps_of_every_unit_and_dictionaries() {
        let raw = arrow_array::Int64Array::from(vec![Some(1_700_000_000), None, Some(-5)]);
        let base: ArrayRef = Arc::new(raw.clone());
        for (unit, per_day) in [
            (TimeUnit::Second, 86_400),
            (TimeUnit::Millisecond, 86_400_000),
            (TimeUnit::Microsecond, 86_400_000_000),
            (TimeUnit::Nanosecond, 86_400_000_000_000),
        ] {
            for tz in [None, Some("+02:00".into())] {
                let a = cast(&base, &DataType::Timestamp(unit, tz));
                let (got, p) = timestamps(a.as_ref()).unwrap();
                assert_eq!((got.clone(), p), (raw.clone(), per_day));
                let (sliced, _) = timestamps(a.slice(1, 2).as_ref()).unwrap();
                assert_eq!(sliced, raw.slice(1, 2));
                let keys = arrow_array::UInt8Array::from(vec![Some(2), None, Some(1), Some(0)]);
                let d: ArrayRef = Arc::new(DictionaryArray::new(keys, a));
                let (got, p) = timestamps(d.as_ref()).unwrap();
                assert_eq!(p, per_day);
                assert_eq!(got, arrow_array::Int64Array::from(vec![Some(-5), None, None, Some(1_700_000_000)]));
            }
        }
        let (n, p) = timestamps(new_null_array(&DataType::Null, 2).as_ref()).unwrap();
        assert_eq!((n.null_count(), n.len(), p), (2, 2, 1));
        assert!(timestamps(base.as_ref()).is_err());
    }

    #[test]
    fn text_matches_arrow_cast_to_utf8() {
        let s = vec![Some("a"), None, Some("ß-42"), Some(""), Some("a")];
        let mut cols: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(s.clone())),
            Arc::new(LargeStringArray::from(s.clone())),
            Arc::new(StringViewArray::from(s.clone())),
            Arc::new(arrow_array::Int64Array::from(vec![Some(-7), None, Some(1234567890123)])),
            Arc::new(arrow_array::UInt8Array::from(vec![Some(255), Some(0)])),
            new_null_array(&DataType::Null, 2),
        ];
        let keys = arrow_array::Int16Array::from(vec![Some(2), None, Some(0), Some(1), Some(2)]);
        cols.push(Arc::new(DictionaryArray::new(keys.clone(), Arc::new(StringArray::from(vec![Some("x"), None, Some("yz")])))));
        cols.push(Arc::new(DictionaryArray::new(keys.clone(), Arc::new(StringViewArray::from(vec!["x", "q", "yz"])))));
        cols.push(Arc::new(DictionaryArray::new(keys, Arc::new(arrow_array::Int32Array::from(vec![10, 20, -30])))));
        cols.push(cols[0].slice(2, 3));
        let none = arrow_array::UInt16Array::from(vec![None, None, None]);
        cols.push(Arc::new(DictionaryArray::new(none, Arc::new(StringArray::from(Vec::<&str>::new())))));
        for a in cols {
            let t = Text::new(a.as_ref()).unwrap();
            let want = cast(&a, &DataType::Utf8);
            let want = want.as_string::<i32>();
            assert_eq!(t.len(), want.len());
            let got: Vec<Option<&str>> = (0..t.len()).map(|i| t.get(i)).collect();
            assert_eq!(got, want.iter().collect::<Vec<_>>(), "{}", a.data_type());
            let mut b = arrow_array::builder::StringBuilder::new();
            t.append_to(&mut b);
            assert_eq!(&b.finish(), want, "{}", a.data_type());
        }
        let f: ArrayRef = Arc::new(Float64Array::from(vec![1.0]));
        assert_eq!(Text::new(f.as_ref()).err().unwrap(), "unexpected type Float64");
    }
}
