package io.mlobj.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code mlobj --version}: the jar's implementation version. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Main.class.getPackage().getImplementationVersion();
    return new String[] {"mlobj " + (v == null ? "0.1.0-SNAPSHOT" : v)};
  }
}
