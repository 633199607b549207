package dev.riffle.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding: invalid bytes are an error counted as such, never silently replaced. */
final class Utf8 {
    private Utf8() {
    }

    static String decode(byte[] buf, int offset, int length) {
        for (int i = offset, end = offset + length; i < end; i++) {
            if (buf[i] < 0) {
                return decodeStrict(buf, offset, length);
            }
        }
        // plain ASCII, the common case: no decoder needed
        return new String(buf, offset, length, StandardCharsets.ISO_8859_1);
    }

    private static String decodeStrict(byte[] buf, int offset, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, offset, length)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedInputException(IngestCounters.Reason.INVALID_UTF8, "string is not valid UTF-8");
        }
    }

    /** A short, printable excerpt of input for a log line: at most 80 characters, other bytes as \\xNN. */
    static String preview(byte[] buf, int offset, int length) {
        StringBuilder out = new StringBuilder();
        for (int i = offset; i < offset + length && out.length() < 80; i++) {
            int b = buf[i] & 0xFF;
            if (b >= 0x20 && b < 0x7F) {
                out.append((char) b);
            } else {
                out.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16));
            }
        }
        return length > 80 ? out + "..." : out.toString();
    }
}
