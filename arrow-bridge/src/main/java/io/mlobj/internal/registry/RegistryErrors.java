package io.mlobj.internal.registry;

import io.mlobj.MlobjException;
import io.mlobj.MlobjException.Kind;

/** User-facing errors of the checkpoint registry, worded in one place. */
public final class RegistryErrors {
  private RegistryErrors() {}

  public static MlobjException modelNotFound(String registry, String model) {
    return new MlobjException(
        Kind.NOT_FOUND,
        "Cannot find model '"
            + model
            + "' in registry "
            + registry
            + ": it has no checkpoints. Run 'mlobj checkpoint ls --registry "
            + registry
            + "' to list the models.");
  }

  public static MlobjException checkpointNotFound(String registry, String model, long version) {
    return new MlobjException(
        Kind.NOT_FOUND,
        "Cannot find checkpoint "
            + model
            + "@v"
            + version
            + " in registry "
            + registry
            + ": no such version. Run 'mlobj checkpoint ls "
            + model
            + "' to list its versions.");
  }

  public static MlobjException aliasNotFound(String registry, String model, String alias) {
    return new MlobjException(
        Kind.NOT_FOUND,
        "Cannot resolve alias '"
            + alias
            + "' of model '"
            + model
            + "' in registry "
            + registry
            + ": it was never set. Set it with 'mlobj checkpoint alias "
            + model
            + " "
            + alias
            + " <version>'.");
  }

  public static MlobjException nothingToRollBack(String registry, String model, String alias) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot roll back alias '"
            + alias
            + "' of model '"
            + model
            + "' in registry "
            + registry
            + ": it has no earlier target. Set it to a version explicitly instead.");
  }

  public static MlobjException contentDamaged(String uri, String ref, long expected, long actual) {
    return new MlobjException(
        Kind.CORRUPT,
        String.format(
            "Cannot read checkpoint %s (%s): CRC32C mismatch (expected 0x%08x, got 0x%08x). The"
                + " model file is damaged; restore it or store the checkpoint again.",
            ref, uri, expected, actual));
  }

  public static MlobjException contentMissing(String uri, String ref) {
    return new MlobjException(
        Kind.NOT_FOUND,
        "Cannot read checkpoint "
            + ref
            + ": its model file "
            + uri
            + " does not exist (deleted outside mlobj). Store the checkpoint again.");
  }

  public static MlobjException badLineage(String ref) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot record lineage '"
            + ref
            + "': expected <dataset uri>@v<version>, e.g. s3a://bucket/images@v3.");
  }

  public static MlobjException contended(String what, int attempts) {
    return new MlobjException(
        Kind.CONFLICT,
        "Cannot commit "
            + what
            + ": other writers won "
            + attempts
            + " times in a row. Retry later.");
  }
}
