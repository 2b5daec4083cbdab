package org.ktestci.launcher;

import org.ktestci.schema.BuildVersion;
import picocli.CommandLine.IVersionProvider;

/** {@code ktest-ci --version} and the version of each of its programs: the build's ({@link BuildVersion}). */
public final class LauncherVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"ktest-ci " + BuildVersion.VERSION};
    }
}
