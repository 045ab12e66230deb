package io.mlobj.cli;

import io.mlobj.MlobjException;

/**
 * Exit codes of {@code mlobj}: stable, distinct per kind of failure, so scripts can branch on them.
 * Documented in docs/cli.md.
 */
public final class ExitCodes {
  /** Success. */
  public static final int OK = 0;

  /** An unexpected internal error (a bug: run with --verbose and report it). */
  public static final int INTERNAL = 1;

  /** Bad command line or bad argument value, including a malformed URI. */
  public static final int USAGE = 2;

  /** A dataset, version, tag, model, checkpoint, bucket or object does not exist. */
  public static final int NOT_FOUND = 3;

  /** Something that must not exist does (a tag without --force, a dataset). */
  public static final int ALREADY_EXISTS = 4;

  /** A concurrent writer won and the change could not be rebased. */
  public static final int CONFLICT = 5;

  /** Stored bytes are damaged (checksum or size mismatch, missing shard found by verify). */
  public static final int DAMAGED = 6;

  /** The credentials were refused. */
  public static final int PERMISSION_DENIED = 7;

  /** The store failed or could not be reached (endpoint down, network, HTTP 5xx). */
  public static final int STORAGE = 8;

  /** A commit may or may not have happened: re-read before retrying. */
  public static final int UNKNOWN_STATE = 9;

  /** The feature is not available in this build (e.g. quickstart without the examples). */
  public static final int UNAVAILABLE = 10;

  private ExitCodes() {}

  /** The exit code of a kernel error. */
  public static int of(MlobjException.Kind kind) {
    return switch (kind) {
      case INVALID_ARGUMENT -> USAGE;
      case NOT_FOUND -> NOT_FOUND;
      case ALREADY_EXISTS -> ALREADY_EXISTS;
      case CONFLICT -> CONFLICT;
      case CORRUPT -> DAMAGED;
      case PERMISSION_DENIED -> PERMISSION_DENIED;
      case STORAGE -> STORAGE;
      case UNKNOWN_STATE -> UNKNOWN_STATE;
    };
  }
}
