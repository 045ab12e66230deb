package io.mlobj.feed.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;

/** Accepts calls carrying {@code authorization: Bearer <token>}; refuses everything else. */
public final class BearerAuthenticator implements CallHeaderAuthenticator {
  private final byte[] expected;

  public BearerAuthenticator(String token) {
    this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public AuthResult authenticate(CallHeaders headers) {
    String value = headers.get("authorization");
    if (value == null || !MessageDigest.isEqual(expected, value.getBytes(StandardCharsets.UTF_8))) {
      throw CallStatus.UNAUTHENTICATED
          .withDescription(
              "Cannot authenticate the call: "
                  + (value == null ? "no bearer token" : "wrong bearer token")
                  + ". Pass the server's token as 'authorization: Bearer <token>'.")
          .toRuntimeException();
    }
    return () -> "trainer";
  }
}
