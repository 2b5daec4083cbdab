package org.ktestci.cistatus;

import org.ktestci.schema.BuildVersion;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the version of the build ({@link BuildVersion}). */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"ci-status (ktest-ci) " + BuildVersion.VERSION};
    }
}
