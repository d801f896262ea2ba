//! Our own Parquet page reader: column chunk bytes → pages, decompressed with decoder-only code
//! (`snap`, `flate2` inflate, `brotli-decompressor`, `lz4_flex`, `zstd` decompression).
//!
//! Why: the parquet crate's page reader creates its codecs as `Box<dyn Codec>`, and the `Codec`
//! trait also has `compress`, so every encoder (brotli's with its large static tables, zstd's,
//! deflate's) is linked into the page's wasm although the page never writes Parquet. The pages
//! feed the crate's low-level typed column readers ([`chunk_pages`] → [`PageReader`], read in
//! [`super::decode`]); only page headers (Thrift compact protocol, parsed here) and
//! decompression are ours (string columns' dictionary pages and dictionary-encoded data pages
//! are decoded in [`super::decode`] itself).
//!
//! Codecs as the parquet crate reads them: UNCOMPRESSED, SNAPPY (raw), GZIP (multi-member),
//! BROTLI, LZ4 (Hadoop framing, falling back to the LZ4 frame format and then a raw block, like
//! the crate's backward-compatible reader), ZSTD, LZ4_RAW. LZO is refused (the crate cannot read
//! it either). CRCs are not checked (the crate's reader checks them only with its `crc` feature,
//! which we do not enable).

use super::ranges::Source;
use bytes::Bytes;
use parquet::basic::{Compression, Encoding};
use parquet::column::page::{Page, PageMetadata, PageReader};
use parquet::errors::{ParquetError, Result};
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::ChunkReader;
use std::io::Read;

fn err(msg: impl Into<String>) -> ParquetError {
    ParquetError::General(msg.into())
}

/// The pages of column `leaf` of row group `group` (the file's indices) of `source`. Errors
/// when the chunk's bytes are not held (a sparse source) or its byte range is implausible.
pub(crate) fn chunk_pages(source: &Source, metadata: &ParquetMetaData, group: usize, leaf: usize) -> Result<Pages> {
    let col = metadata.row_group(group).column(leaf);
    let (start, len) = col.byte_range();
    let len = usize::try_from(len).map_err(|_| err("column chunk too large"))?;
    let data = source.get_bytes(start, len)?;
    if data.len() != len {
        return Err(err(format!("column chunk is {} bytes, expected {len}", data.len())));
    }
    Ok(Pages { data, pos: 0, codec: col.compression(), dictionary: false })
}

/// The pages of one column chunk (a clone reads them again from where this one is).
#[derive(Clone)]
pub(crate) struct Pages {
    data: Bytes,
    pos: usize,
    codec: Compression,
    /// Whether the chunk's dictionary page was read.
    dictionary: bool,
}

impl Pages {
    /// The next page's header and where its body starts, without moving; `None` at the end.
    /// Index pages are skipped.
    fn next_header(&mut self) -> Result<Option<(Header, usize)>> {
        loop {
            if self.pos >= self.data.len() {
                return Ok(None);
            }
            let mut r = Thrift { buf: &self.data[self.pos..], pos: 0 };
            let h = Header::read(&mut r)?;
            let body = self.pos + r.pos;
            if h.compressed_size > self.data.len() - body {
                return Err(ParquetError::EOF("Invalid page header: page runs past the column chunk".into()));
            }
            if h.page_type == INDEX_PAGE {
                self.pos = body + h.compressed_size;
                continue;
            }
            return Ok(Some((h, body)));
        }
    }
}

impl Pages {
    /// Whether the next page is a dictionary page, a data page encoded PLAIN or with the
    /// dictionary, or there is none — read from its header, before its body is decompressed.
    pub(crate) fn next_is_plain_or_dictionary(&mut self) -> Result<bool> {
        Ok(match self.next_header()? {
            None => true,
            Some((h, _)) => {
                h.page_type == DICTIONARY_PAGE
                    || matches!(encoding(h.encoding)?, Encoding::PLAIN | Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY)
            }
        })
    }
}

impl Iterator for Pages {
    type Item = Result<Page>;
    fn next(&mut self) -> Option<Self::Item> {
        self.get_next_page().transpose()
    }
}

impl PageReader for Pages {
    fn get_next_page(&mut self) -> Result<Option<Page>> {
        let Some((h, body)) = self.next_header()? else { return Ok(None) };
        let raw = self.data.slice(body..body + h.compressed_size);
        self.pos = body + h.compressed_size;
        let page = h.page(raw, &self.codec)?;
        match &page {
            Page::DictionaryPage { .. } if self.dictionary => {
                return Err(err("Column cannot have more than one dictionary"));
            }
            Page::DictionaryPage { .. } => self.dictionary = true,
            // The crate's column reader panics on a dictionary-encoded page without a
            // dictionary (corrupt or truncated data): refuse it here.
            Page::DataPage { encoding, .. } | Page::DataPageV2 { encoding, .. }
                if matches!(encoding, Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY)
                    && !self.dictionary =>
            {
                return Err(err("dictionary-encoded data page without a dictionary page"));
            }
            _ => {}
        }
        Ok(Some(page))
    }

    fn peek_next_page(&mut self) -> Result<Option<PageMetadata>> {
        Ok(self.next_header()?.map(|(h, _)| PageMetadata {
            num_rows: h.v2.as_ref().map(|v| v.num_rows as usize),
            num_levels: Some(h.num_values as usize),
            is_dict: h.page_type == DICTIONARY_PAGE,
        }))
    }

    fn skip_next_page(&mut self) -> Result<()> {
        if let Some((h, body)) = self.next_header()? {
            self.pos = body + h.compressed_size;
        }
        Ok(())
    }
}

const DATA_PAGE: i32 = 0;
const INDEX_PAGE: i32 = 1;
const DICTIONARY_PAGE: i32 = 2;
const DATA_PAGE_V2: i32 = 3;

/// What we need of a Thrift `PageHeader`.
#[derive(Debug, Default)]
struct Header {
    page_type: i32,
    uncompressed_size: usize,
    compressed_size: usize,
    num_values: i32,
    encoding: i32,
    def_level_encoding: i32,
    rep_level_encoding: i32,
    is_sorted: bool,
    v2: Option<V2>,
}

#[derive(Debug)]
struct V2 {
    num_nulls: i32,
    num_rows: i32,
    def_len: i32,
    rep_len: i32,
    is_compressed: bool,
}

fn encoding(e: i32) -> Result<Encoding> {
    Ok(match e {
        0 => Encoding::PLAIN,
        2 => Encoding::PLAIN_DICTIONARY,
        3 => Encoding::RLE,
        #[allow(deprecated)]
        4 => Encoding::BIT_PACKED,
        5 => Encoding::DELTA_BINARY_PACKED,
        6 => Encoding::DELTA_LENGTH_BYTE_ARRAY,
        7 => Encoding::DELTA_BYTE_ARRAY,
        8 => Encoding::RLE_DICTIONARY,
        9 => Encoding::BYTE_STREAM_SPLIT,
        e => return Err(err(format!("unsupported page encoding {e}"))),
    })
}

fn non_negative(v: i32, what: &str) -> Result<usize> {
    usize::try_from(v).map_err(|_| ParquetError::EOF(format!("Invalid page header: negative {what}")))
}

impl Header {
    fn read(r: &mut Thrift) -> Result<Self> {
        let mut h = Header::default();
        let (mut uncompressed, mut compressed) = (-1, -1);
        let mut last = 0i16;
        while let Some((id, t)) = r.field(&mut last)? {
            match (id, t) {
                (1, I32) => h.page_type = r.i32()?,
                (2, I32) => uncompressed = r.i32()?,
                (3, I32) => compressed = r.i32()?,
                (5, STRUCT) => {
                    let mut last = 0i16;
                    while let Some((id, t)) = r.field(&mut last)? {
                        match (id, t) {
                            (1, I32) => h.num_values = r.i32()?,
                            (2, I32) => h.encoding = r.i32()?,
                            (3, I32) => h.def_level_encoding = r.i32()?,
                            (4, I32) => h.rep_level_encoding = r.i32()?,
                            _ => r.skip(t, 0)?,
                        }
                    }
                }
                (7, STRUCT) => {
                    let mut last = 0i16;
                    while let Some((id, t)) = r.field(&mut last)? {
                        match (id, t) {
                            (1, I32) => h.num_values = r.i32()?,
                            (2, I32) => h.encoding = r.i32()?,
                            (3, TRUE | FALSE) => h.is_sorted = t == TRUE,
                            _ => r.skip(t, 0)?,
                        }
                    }
                }
                (8, STRUCT) => {
                    let mut v = V2 { num_nulls: 0, num_rows: 0, def_len: 0, rep_len: 0, is_compressed: true };
                    let mut last = 0i16;
                    while let Some((id, t)) = r.field(&mut last)? {
                        match (id, t) {
                            (1, I32) => h.num_values = r.i32()?,
                            (2, I32) => v.num_nulls = r.i32()?,
                            (3, I32) => v.num_rows = r.i32()?,
                            (4, I32) => h.encoding = r.i32()?,
                            (5, I32) => v.def_len = r.i32()?,
                            (6, I32) => v.rep_len = r.i32()?,
                            (7, TRUE | FALSE) => v.is_compressed = t == TRUE,
                            _ => r.skip(t, 0)?,
                        }
                    }
                    h.v2 = Some(v);
                }
                _ => r.skip(t, 0)?,
            }
        }
        h.uncompressed_size = non_negative(uncompressed, "uncompressed page size")?;
        h.compressed_size = non_negative(compressed, "compressed page size")?;
        Ok(h)
    }

    /// The page, its body `raw` decompressed.
    fn page(&self, raw: Bytes, codec: &Compression) -> Result<Page> {
        let count = |v: i32, what: &str| u32::try_from(v).map_err(|_| err(format!("Invalid page header: negative {what}")));
        // A v2 page's levels are stored uncompressed before the (maybe compressed) values.
        let (offset, compressed) = match &self.v2 {
            Some(v) => {
                let levels = non_negative(v.def_len, "definition levels length")?
                    + non_negative(v.rep_len, "repetition levels length")?;
                if levels > self.uncompressed_size || levels > raw.len() {
                    return Err(err("DataPage v2 header contains implausible level lengths"));
                }
                (levels, v.is_compressed)
            }
            None => (0, true),
        };
        let buf = if compressed && !matches!(codec, Compression::UNCOMPRESSED) {
            let mut out = Vec::with_capacity(self.uncompressed_size);
            out.extend_from_slice(&raw[..offset]);
            let want = self.uncompressed_size - offset;
            if want > 0 {
                decompress(codec, &raw[offset..], &mut out, want)?;
            }
            if out.len() != self.uncompressed_size {
                return Err(err(format!(
                    "Actual decompressed size doesn't match the expected one ({} vs {})",
                    out.len(),
                    self.uncompressed_size
                )));
            }
            Bytes::from(out)
        } else {
            raw
        };
        Ok(match self.page_type {
            DICTIONARY_PAGE => Page::DictionaryPage {
                buf,
                num_values: count(self.num_values, "value count")?,
                encoding: encoding(self.encoding)?,
                is_sorted: self.is_sorted,
            },
            DATA_PAGE => Page::DataPage {
                buf,
                num_values: count(self.num_values, "value count")?,
                encoding: encoding(self.encoding)?,
                def_level_encoding: encoding(self.def_level_encoding)?,
                rep_level_encoding: encoding(self.rep_level_encoding)?,
                statistics: None,
            },
            DATA_PAGE_V2 => {
                let v = self.v2.as_ref().ok_or_else(|| err("DataPage v2 without its header"))?;
                Page::DataPageV2 {
                    buf,
                    num_values: count(self.num_values, "value count")?,
                    encoding: encoding(self.encoding)?,
                    num_nulls: count(v.num_nulls, "null count")?,
                    num_rows: count(v.num_rows, "row count")?,
                    def_levels_byte_len: v.def_len as u32,
                    rep_levels_byte_len: v.rep_len as u32,
                    is_compressed: v.is_compressed,
                    statistics: None,
                }
            }
            t => return Err(err(format!("unknown page type {t}"))),
        })
    }
}

/// Appends `input` decompressed with `codec` to `out`; `size` is the expected decompressed size.
///
/// Each codec is its own function, none inlined here (nor this one into the page reader): V8
/// compiles a hot wasm function with its optimising tier as a whole, so a page reader that held
/// every codec's code (~47 kB of wasm) was compiled again on every load although one
/// codec runs. Split, only the small functions that actually run become hot.
#[inline(never)]
fn decompress(codec: &Compression, input: &[u8], out: &mut Vec<u8>, size: usize) -> Result<()> {
    match codec {
        Compression::UNCOMPRESSED => out.extend_from_slice(input),
        Compression::SNAPPY => snappy_into(input, out, size)?,
        Compression::GZIP(_) => gzip_into(input, out)?,
        Compression::BROTLI(_) => brotli_into(input, out, size)?,
        Compression::ZSTD(_) => zstd_into(input, out, size)?,
        Compression::LZ4_RAW => lz4_block(input, out, size)?,
        Compression::LZ4 => lz4_into(input, out, size)?,
        Compression::LZO => return Err(err("LZO compression is not supported")),
    }
    Ok(())
}

fn io_failed(codec: &str) -> impl Fn(std::io::Error) -> ParquetError + Copy + '_ {
    move |e| err(format!("{codec} decompression failed: {e}"))
}

/// Raw snappy of `size` decompressed bytes.
#[inline(never)]
fn snappy_into(input: &[u8], out: &mut Vec<u8>, size: usize) -> Result<()> {
    let start = out.len();
    out.resize(start + size, 0);
    let n = snap::raw::Decoder::new()
        .decompress(input, &mut out[start..])
        .map_err(|e| err(format!("SNAPPY decompression failed: {e}")))?;
    out.truncate(start + n);
    Ok(())
}

/// Gzip, all members.
#[inline(never)]
fn gzip_into(input: &[u8], out: &mut Vec<u8>) -> Result<()> {
    flate2::read::MultiGzDecoder::new(input).read_to_end(out).map_err(io_failed("GZIP"))?;
    Ok(())
}

#[inline(never)]
fn brotli_into(input: &[u8], out: &mut Vec<u8>, size: usize) -> Result<()> {
    brotli_decompressor::Decompressor::new(input, size.max(1)).read_to_end(out).map_err(io_failed("BROTLI"))?;
    Ok(())
}

/// LZ4 as the parquet crate reads it: Hadoop framing, else the LZ4 frame format, else a raw block.
#[inline(never)]
fn lz4_into(input: &[u8], out: &mut Vec<u8>, size: usize) -> Result<()> {
    let start = out.len();
    if lz4_hadoop(input, out, size).is_err() {
        out.truncate(start);
        let frame = lz4_flex::frame::FrameDecoder::new(input).read_to_end(out);
        if frame.is_err() || out.len() - start != size {
            out.truncate(start);
            lz4_block(input, out, size)?;
        }
    }
    Ok(())
}

/// Zstd frames of `size` decompressed bytes, appended to `out` in one call with a decompression
/// context kept per thread. Why not the streaming decoder: it allocated a context and a window
/// buffer for every page and decompressed through that window (1M LLM events in the browser:
/// ~70 ms of `malloc` under the page reader, ~10% of the worker's load).
#[inline(never)]
fn zstd_into(input: &[u8], out: &mut Vec<u8>, size: usize) -> Result<()> {
    use std::cell::RefCell;
    thread_local! {
        static CONTEXT: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
    }
    let failed = io_failed("ZSTD");
    let start = out.len();
    out.reserve_exact(size);
    CONTEXT.with(|c| {
        let mut c = c.borrow_mut();
        let context = match &mut *c {
            Some(context) => context,
            empty => empty.insert(zstd::bulk::Decompressor::new().map_err(failed)?),
        };
        // The cursor writes after what `out` holds (a v2 page's levels) and sets its length.
        let mut cursor = std::io::Cursor::new(std::mem::take(out));
        cursor.set_position(start as u64);
        let written = context.decompress_to_buffer(input, &mut cursor);
        *out = cursor.into_inner();
        written.map_err(failed)
    })?;
    Ok(())
}

/// A raw LZ4 block of exactly `size` decompressed bytes.
#[inline(never)]
fn lz4_block(input: &[u8], out: &mut Vec<u8>, size: usize) -> Result<()> {
    let start = out.len();
    out.resize(start + size, 0);
    let n = lz4_flex::block::decompress_into(input, &mut out[start..]).map_err(|e| err(format!("LZ4 decompression failed: {e}")))?;
    if n != size {
        return Err(err("LZ4 decompressed size is not the expected one"));
    }
    Ok(())
}

/// Hadoop's LZ4 framing: blocks of (u32 BE decompressed size, u32 BE compressed size, raw LZ4).
fn lz4_hadoop(mut input: &[u8], out: &mut Vec<u8>, size: usize) -> Result<()> {
    let start = out.len();
    while !input.is_empty() {
        if input.len() < 8 {
            return Err(err("LZ4 Hadoop: truncated block header"));
        }
        let expected = u32::from_be_bytes(input[0..4].try_into().unwrap()) as usize;
        let compressed = u32::from_be_bytes(input[4..8].try_into().unwrap()) as usize;
        input = &input[8..];
        if compressed > input.len() || out.len() - start + expected > size {
            return Err(err("LZ4 Hadoop: block larger than the page"));
        }
        lz4_block(&input[..compressed], out, expected)?;
        input = &input[compressed..];
    }
    if out.len() - start != size {
        return Err(err("LZ4 Hadoop: decompressed size is not the expected one"));
    }
    Ok(())
}

// Thrift compact protocol field types.
const TRUE: u8 = 1;
const FALSE: u8 = 2;
const BYTE: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const DOUBLE: u8 = 7;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const SET: u8 = 10;
const MAP: u8 = 11;
const STRUCT: u8 = 12;

/// A reader of the Thrift compact protocol over a byte slice.
struct Thrift<'a> {
    buf: &'a [u8],
    pos: usize,
}

fn eof() -> ParquetError {
    ParquetError::EOF("Invalid page header: truncated".into())
}

impl Thrift<'_> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.buf.get(self.pos).ok_or_else(eof)?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(err("Invalid page header: varint too long"))
    }

    fn zigzag(&mut self) -> Result<i64> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn i32(&mut self) -> Result<i32> {
        i32::try_from(self.zigzag()?).map_err(|_| err("Invalid page header: i32 out of range"))
    }

    /// The next field's (id, type), `None` at the struct's end; `last` is the previous id.
    fn field(&mut self, last: &mut i16) -> Result<Option<(i16, u8)>> {
        let b = self.byte()?;
        let t = b & 0x0f;
        if t == 0 {
            return Ok(None);
        }
        let delta = (b >> 4) as i16;
        let id = if delta == 0 { self.zigzag()? as i16 } else { last.wrapping_add(delta) };
        *last = id;
        Ok(Some((id, t)))
    }

    fn skip_bytes(&mut self, n: usize) -> Result<()> {
        if n > self.buf.len() - self.pos {
            return Err(eof());
        }
        self.pos += n;
        Ok(())
    }

    /// Skips a value of type `t` (nesting bounded).
    fn skip(&mut self, t: u8, depth: u32) -> Result<()> {
        if depth > 32 {
            return Err(err("Invalid page header: nested too deeply"));
        }
        match t {
            TRUE | FALSE => Ok(()),
            BYTE => self.skip_bytes(1),
            I16 | I32 | I64 => self.varint().map(|_| ()),
            DOUBLE => self.skip_bytes(8),
            BINARY => {
                let n = self.varint()? as usize;
                self.skip_bytes(n)
            }
            LIST | SET => {
                let h = self.byte()?;
                let n = if h >> 4 == 15 { self.varint()? as usize } else { (h >> 4) as usize };
                let et = h & 0x0f;
                for _ in 0..n {
                    // Booleans in a list take one byte each.
                    if et == TRUE || et == FALSE {
                        self.skip_bytes(1)?;
                    } else {
                        self.skip(et, depth + 1)?;
                    }
                }
                Ok(())
            }
            MAP => {
                let n = self.varint()? as usize;
                if n > 0 {
                    let kv = self.byte()?;
                    for _ in 0..n {
                        for et in [kv >> 4, kv & 0x0f] {
                            if et == TRUE || et == FALSE {
                                self.skip_bytes(1)?;
                            } else {
                                self.skip(et, depth + 1)?;
                            }
                        }
                    }
                }
                Ok(())
            }
            STRUCT => {
                let mut last = 0i16;
                while let Some((_, ft)) = self.field(&mut last)? {
                    self.skip(ft, depth + 1)?;
                }
                Ok(())
            }
            t => Err(err(format!("Invalid page header: thrift type {t}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Every codec and both data page versions, written by the parquet crate, read through these
    //! pages and compared with the crate's own reader.
    use super::*;
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use parquet::arrow::arrow_reader::RowGroups;
    use parquet::column::page::PageIterator;
    use parquet::file::metadata::RowGroupMetaData;

    /// The selected row groups of one file as the crate's Arrow reader's [`RowGroups`], read
    /// through our pages (to compare with the crate's own page reader).
    struct Chunks<'a> {
        source: &'a Source,
        metadata: &'a ParquetMetaData,
        groups: Vec<usize>,
    }

    impl RowGroups for Chunks<'_> {
        fn num_rows(&self) -> usize {
            self.groups.iter().map(|&g| self.metadata.row_group(g).num_rows() as usize).sum()
        }

        fn column_chunks(&self, i: usize) -> Result<Box<dyn PageIterator>> {
            let readers: Vec<Result<Box<dyn PageReader>>> = self
                .groups
                .iter()
                .map(|&g| chunk_pages(self.source, self.metadata, g, i).map(|p| Box::new(p) as Box<dyn PageReader>))
                .collect();
            Ok(Box::new(ChunkPages(readers.into_iter())))
        }

        fn row_groups(&self) -> Box<dyn Iterator<Item = &RowGroupMetaData> + '_> {
            Box::new(self.groups.iter().map(|&g| self.metadata.row_group(g)))
        }

        fn metadata(&self) -> &ParquetMetaData {
            self.metadata
        }
    }

    struct ChunkPages(std::vec::IntoIter<Result<Box<dyn PageReader>>>);

    impl Iterator for ChunkPages {
        type Item = Result<Box<dyn PageReader>>;
        fn next(&mut self) -> Option<Self::Item> {
            self.0.next()
        }
    }

    impl PageIterator for ChunkPages {}
    use parquet::arrow::ArrowWriter;
    use parquet::arrow::ProjectionMask;
    use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
    use parquet::arrow::parquet_to_arrow_field_levels;
    use parquet::file::properties::{WriterProperties, WriterVersion};
    use std::sync::Arc;

    fn batch() -> RecordBatch {
        let n = 5000;
        let ints: ArrayRef = Arc::new(Int64Array::from_iter((0..n).map(|i| (i % 7 != 0).then_some(i * 31 % 1000))));
        let text: ArrayRef =
            Arc::new(StringArray::from_iter((0..n).map(|i| (i % 5 != 0).then(|| format!("session-{}", i % 300)))));
        RecordBatch::try_from_iter([("n", ints), ("s", text)]).unwrap()
    }

    fn write(codec: Compression, version: WriterVersion) -> Bytes {
        let props = WriterProperties::builder()
            .set_compression(codec)
            .set_writer_version(version)
            .set_data_page_row_count_limit(700)
            .set_write_batch_size(700)
            .set_max_row_group_row_count(Some(2000))
            .build();
        let b = batch();
        let mut out = Vec::new();
        let mut w = ArrowWriter::try_new(&mut out, b.schema(), Some(props)).unwrap();
        w.write(&b).unwrap();
        w.close().unwrap();
        Bytes::from(out)
    }

    fn read_ours(bytes: &Bytes) -> Vec<RecordBatch> {
        let meta = ArrowReaderMetadata::load(bytes, ArrowReaderOptions::new()).unwrap();
        let source = Source::from(bytes.clone());
        let groups: Vec<usize> = (0..meta.metadata().num_row_groups()).collect();
        assert!(groups.len() > 1);
        let chunks = Chunks { source: &source, metadata: meta.metadata(), groups };
        let levels =
            parquet_to_arrow_field_levels(meta.parquet_schema(), ProjectionMask::all(), Some(meta.schema().fields())).unwrap();
        ParquetRecordBatchReader::try_new_with_row_groups(&levels, &chunks, 1000, None)
            .unwrap()
            .collect::<std::result::Result<Vec<_>, _>>()
            .unwrap()
    }

    #[test]
    fn every_codec_and_page_version_reads_as_the_crate_reads_it() {
        use parquet::basic::{BrotliLevel, GzipLevel, ZstdLevel};
        for codec in [
            Compression::UNCOMPRESSED,
            Compression::SNAPPY,
            Compression::GZIP(GzipLevel::default()),
            Compression::BROTLI(BrotliLevel::default()),
            Compression::LZ4,
            Compression::ZSTD(ZstdLevel::default()),
            Compression::LZ4_RAW,
        ] {
            for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
                let bytes = write(codec, version);
                let want: Vec<RecordBatch> =
                    ParquetRecordBatchReaderBuilder::try_new(bytes.clone()).unwrap().with_batch_size(1000).build().unwrap().map(|b| b.unwrap()).collect();
                let got = read_ours(&bytes);
                assert_eq!(got, want, "{codec:?} {version:?}");
                assert_eq!(got.iter().map(|b| b.num_rows()).sum::<usize>(), 5000);
            }
        }
    }

    #[test]
    fn zstd_appends_after_the_levels_and_refuses_a_wrong_size() {
        let codec = Compression::ZSTD(Default::default());
        let a: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let b: Vec<u8> = (0..3_000u32).map(|i| (i * 7 % 13) as u8).collect();
        let (za, zb) = (zstd::bulk::compress(&a, 3).unwrap(), zstd::bulk::compress(&b, 3).unwrap());
        // Twice each, alternating: the context kept between pages must not leak state.
        for _ in 0..2 {
            for (raw, z) in [(&a, &za), (&b, &zb)] {
                let mut out = vec![9u8, 8, 7];
                decompress(&codec, z, &mut out, raw.len()).unwrap();
                assert_eq!(&out[..3], &[9, 8, 7]);
                assert_eq!(&out[3..], &raw[..]);
            }
        }
        // The header says fewer bytes than the frame holds: an error, not a write past `size`.
        let mut out = Vec::new();
        assert!(decompress(&codec, &za, &mut out, a.len() - 1).is_err());
        // Garbage and a cut frame.
        assert!(decompress(&codec, &[1, 2, 3, 4, 5], &mut Vec::new(), 10).is_err());
        assert!(decompress(&codec, &za[..za.len() / 2], &mut Vec::new(), a.len()).is_err());
        // Still usable after the errors.
        let mut out = Vec::new();
        decompress(&codec, &zb, &mut out, b.len()).unwrap();
        assert_eq!(out, b);
    }

    #[test]
    fn a_truncated_page_header_is_an_error_not_a_panic() {
        let bytes = write(Compression::SNAPPY, WriterVersion::PARQUET_1_0);
        let meta = ArrowReaderMetadata::load(&bytes, ArrowReaderOptions::new()).unwrap();
        let (start, len) = meta.metadata().row_group(0).column(0).byte_range();
        let chunk = bytes.slice(start as usize..(start + len) as usize);
        let mut whole = Thrift { buf: &chunk, pos: 0 };
        let h = Header::read(&mut whole).unwrap();
        let header_len = whole.pos;
        assert!(h.compressed_size > 0 && header_len > 4);
        for cut in 0..header_len {
            assert!(Header::read(&mut Thrift { buf: &chunk[..cut], pos: 0 }).is_err(), "cut at {cut}");
        }
        // A chunk cut inside a page body: the page runs past the chunk.
        let mut pages = Pages {
            data: chunk.slice(..header_len + h.compressed_size - 1),
            pos: 0,
            codec: Compression::SNAPPY,
            dictionary: false,
        };
        assert!(pages.get_next_page().is_err());
    }
}
