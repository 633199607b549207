package dev.riffle.ingest;

/**
 * Reads the protobuf wire format from a byte range: just what Riemann's messages use. Every read is checked
 * against the range, so truncated or hostile input ends in a {@link MalformedInputException}, never in an
 * out-of-bounds read or a huge allocation.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] buf;
    private int pos;
    private final int limit;

    ProtoReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.limit = offset + length;
    }

    boolean hasMore() {
        return pos < limit;
    }

    /** Returns the next tag (field number << 3 | wire type). */
    int readTag() {
        long tag = readVarint();
        if (tag <= 0 || tag > Integer.MAX_VALUE || (tag >>> 3) == 0) {
            throw new MalformedInputException("bad field tag");
        }
        return (int) tag;
    }

    long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw new MalformedInputException("truncated varint");
            }
            byte b = buf[pos++];
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new MalformedInputException("varint longer than 10 bytes");
    }

    long readSint64() {
        long n = readVarint();
        return (n >>> 1) ^ -(n & 1);
    }

    long readFixed64() {
        need(8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (buf[pos + i] & 0xFFL);
        }
        pos += 8;
        return v;
    }

    int readFixed32() {
        need(4);
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16
                | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    double readDouble() {
        return Double.longBitsToDouble(readFixed64());
    }

    float readFloat() {
        return Float.intBitsToFloat(readFixed32());
    }

    /** Reads a length-delimited field and returns a reader over just its bytes. */
    ProtoReader readMessage() {
        int len = readLength();
        ProtoReader sub = new ProtoReader(buf, pos, len);
        pos += len;
        return sub;
    }

    /** Reads a length-delimited UTF-8 string; invalid UTF-8 is an error, not a silent replacement. */
    String readString() {
        int len = readLength();
        String s = Utf8.decode(buf, pos, len);
        pos += len;
        return s;
    }

    /** Skips a field of a type this reader does not care about (unknown fields are allowed by protobuf). */
    void skip(int tag) {
        switch (tag & 7) {
            case VARINT -> readVarint();
            case FIXED64 -> { need(8); pos += 8; }
            case LENGTH_DELIMITED -> { int len = readLength(); pos += len; }
            case FIXED32 -> { need(4); pos += 4; }
            default -> throw new MalformedInputException("unsupported wire type " + (tag & 7));
        }
    }

    private int readLength() {
        long len = readVarint();
        if (len < 0 || len > limit - pos) {
            throw new MalformedInputException("length " + len + " runs past the end of the message");
        }
        return (int) len;
    }

    private void need(int n) {
        if (limit - pos < n) {
            throw new MalformedInputException("truncated field");
        }
    }
}
