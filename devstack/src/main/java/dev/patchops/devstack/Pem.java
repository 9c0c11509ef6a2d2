package dev.patchops.devstack;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** PEM text for the keys the stack generates: what Quarkus and the services read. */
public final class Pem {
  private Pem() {}

  public static String encode(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  static byte[] decode(String pem) {
    return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
  }
}
