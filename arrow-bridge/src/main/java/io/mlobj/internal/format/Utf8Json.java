package io.mlobj.internal.format;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlobj.MlobjErrors;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Parses the format's JSON files as UTF-8, as docs/FORMAT.md requires. Jackson, given raw bytes,
 * guesses the encoding (a leading NUL byte makes it read UTF-16); decoding first keeps errors
 * readable and lets them point at a byte offset: {@code it is not valid JSON at byte N (...)}.
 */
public final class Utf8Json {
  private Utf8Json() {}

  /** The JSON tree of a file; damage is an error naming {@code uri} and the byte offset. */
  public static JsonNode parse(ObjectMapper mapper, byte[] bytes, String uri) {
    if (bytes.length == 0) {
      throw MlobjErrors.malformed(uri, "it is empty (0 bytes)");
    }
    String text = decode(bytes, uri);
    try {
      JsonNode tree = mapper.readTree(text);
      if (tree == null || tree.isMissingNode()) {
        throw MlobjErrors.malformed(uri, "it holds no JSON value");
      }
      return tree;
    } catch (JsonProcessingException e) {
      throw MlobjErrors.malformed(
          uri,
          "it is not valid JSON at byte "
              + byteOffset(text, e)
              + " ("
              + e.getOriginalMessage()
              + ")");
    }
  }

  private static String decode(byte[] bytes, String uri) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      throw MlobjErrors.malformed(
          uri, "it is not valid UTF-8 at byte " + in.position() + " (a binary or damaged file)");
    }
    decoder.flush(out);
    out.flip();
    return out.toString();
  }

  private static long byteOffset(String text, JsonProcessingException e) {
    JsonLocation location = e.getLocation();
    if (location == null || location.getCharOffset() < 0) {
      return 0;
    }
    long offset = location.getCharOffset();
    // Jackson reports a bad single character just after it, a bad token at its start.
    String message = String.valueOf(e.getOriginalMessage());
    if (offset > 0
        && (message.startsWith("Illegal character")
            || message.startsWith("Unexpected character"))) {
      offset--;
    }
    int chars = (int) Math.min(offset, text.length());
    return text.substring(0, chars).getBytes(StandardCharsets.UTF_8).length;
  }
}
