"""Stream filters decoded incrementally, in bounded pieces: how the upload check measures what a
stream inflates to without ever holding it. Imports nothing from Django (it runs in the check's
child process)."""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Iterable, Iterator

CHUNK = 1024 * 1024  # bytes fed to / taken from a decoder at a time

# Filters that only re-encode bytes; image codecs (DCT, JPX, JBIG2, CCITT) end the chain, as their
# output size is bounded by the image's declared dimensions, which are checked instead.
FLATE = {"/FlateDecode", "/Fl"}
LZW = {"/LZWDecode", "/LZW"}
RUN_LENGTH = {"/RunLengthDecode", "/RL"}
HEX = {"/ASCIIHexDecode", "/AHx"}
BASE85 = {"/ASCII85Decode", "/A85"}

_WHITESPACE = b" \t\r\n\f\x00"


def pieces(data: bytes) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), CHUNK):
        yield bytes(view[start : start + CHUNK])


def inflate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    # max_length keeps each output piece bounded whatever the ratio; the rest waits in unconsumed_tail.
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
    try:
        for chunk in chunks:
            data = chunk
            while data:
                out = inflater.decompress(data, CHUNK)
                if out:
                    yield out
                if inflater.eof:
                    return
                data = inflater.unconsumed_tail
        while not inflater.eof:
            out = inflater.decompress(b"", CHUNK)
            if not out:
                return
            yield out
    except zlib.error:
        # A broken stream ends here, as it does for a renderer; what it inflated so far was counted.
        return


def lzw(chunks: Iterable[bytes], *, early_change: int) -> Iterator[bytes]:
    table = [bytes((i,)) for i in range(256)] + [b"", b""]
    width, buffer, buffered, previous = 9, 0, 0, b""
    out = bytearray()
    for chunk in chunks:
        for byte in chunk:
            buffer = (buffer << 8) | byte
            buffered += 8
            while buffered >= width:
                buffered -= width
                code = (buffer >> buffered) & ((1 << width) - 1)
                buffer &= (1 << buffered) - 1
                if code == 256:
                    del table[258:]
                    width, previous = 9, b""
                    continue
                if code == 257:
                    yield bytes(out)
                    return
                if code < len(table) and (previous or code < 256):
                    entry = table[code]
                    if previous and len(table) < 4096:
                        table.append(previous + entry[:1])
                elif previous and code == len(table) and len(table) < 4096:
                    entry = previous + previous[:1]
                    table.append(entry)
                else:
                    yield bytes(out)
                    return
                out += entry
                previous = entry
                if len(table) + early_change >= (1 << width) and width < 12:
                    width += 1
                if len(out) >= CHUNK:
                    yield bytes(out)
                    out.clear()
    yield bytes(out)


def run_length(chunks: Iterable[bytes]) -> Iterator[bytes]:
    pending = b""
    for chunk in chunks:
        data, index, out = pending + chunk, 0, bytearray()
        while index < len(data):
            length = data[index]
            if length == 128:
                yield bytes(out)
                return
            if length < 128:
                if index + length + 2 > len(data):
                    break
                out += data[index + 1 : index + length + 2]
                index += length + 2
            else:
                if index + 2 > len(data):
                    break
                out += data[index + 1 : index + 2] * (257 - length)
                index += 2
            if len(out) >= CHUNK:
                yield bytes(out)
                out.clear()
        pending = data[index:]
        yield bytes(out)


def ascii_hex(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        end = chunk.find(b">")
        digits = carry + (chunk if end < 0 else chunk[:end]).translate(None, _WHITESPACE)
        even = len(digits) - len(digits) % 2
        try:
            yield binascii.unhexlify(digits[:even])
        except binascii.Error:
            return
        carry = digits[even:]
        if end >= 0:
            break
    if carry:
        yield binascii.unhexlify(carry + b"0")


def ascii85(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry, first = b"", True
    for chunk in chunks:
        if first:
            # The optional "<~" opening must go before "~" is taken for the closing "~>".
            chunk = chunk.lstrip(_WHITESPACE).removeprefix(b"<~")
            first = False
        end = chunk.find(b"~")
        text = carry + (chunk if end < 0 else chunk[:end]).translate(None, _WHITESPACE).replace(b"z", b"!!!!!")
        whole = len(text) - len(text) % 5
        try:
            yield base64.a85decode(text[:whole])
        except ValueError:
            return
        carry = text[whole:]
        if end >= 0:
            break
    if carry:
        try:
            yield base64.a85decode(carry)
        except ValueError:
            return
