package dev.patchops.audit.trail;

import java.sql.SQLException;

/** The trail's database could not be used; the caller retries, nothing is skipped. */
public class AuditStoreException extends RuntimeException {
  public AuditStoreException(String message, SQLException cause) {
    super(message + ": " + cause.getMessage(), cause);
  }
}
