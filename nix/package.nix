# ktest-ci: the Maven build, packaged the nixpkgs way (maven.buildMavenPackage).
#
# Two derivations (pkgs/by-name/ma/maven/build-maven-package.nix): a fixed-output one that runs
# `mvn package -DskipTests` with network access and keeps the local repository (~/.m2), which must hash
# to `mvnHash`, and the real build, which copies that repository and runs `mvn package -o` offline.
#
# The runtime tools the worker needs (git, qemu, busybox, ...) are NOT put into the wrapper: the NixOS
# modules put them on the service's PATH, per host (nix/worker.nix).
{
  lib,
  maven,
  jdk17,
  jdk17_headless,
  makeWrapper,
  stripJavaArchivesHook,
  bash,
  # The JVM the launcher runs on: a headless Java 17, our release level.
  runtimeJava ? jdk17_headless,
}:

maven.buildMavenPackage {
  pname = "ktest-ci";
  # Keep in step with the <version> of the root pom.xml (the dist directory name is globbed below, so a
  # -SNAPSHOT suffix there does not break the install).
  version = "0.1.0";

  # The Maven project only: edits to docs/, nix/ or .ci/ do not rebuild anything, and a local
  # target/ or a `result` symlink never enters the source.
  src = lib.cleanSourceWith {
    src = ../.;
    name = "ktest-ci-source";
    filter =
      path: type:
      let
        rel = lib.removePrefix (toString ../. + "/") (toString path);
        base = baseNameOf rel;
        topLevel = !(lib.hasInfix "/" rel);
      in
      !(
        (type == "directory" && base == "target")
        || (type == "symlink" && lib.hasPrefix "result" base)
        || (topLevel && lib.elem base [ "nix" "docs" ".ci" ".git" ".idea" "flake.nix" "flake.lock" ])
      );
  };

  # Hash of the fixed-output dependency derivation. It cannot be computed without network access to
  # Maven Central. To get it: build once (`nix build .#ktest-ci`); Nix fails with
  #   hash mismatch in fixed-output derivation '...-ktest-ci-0.1.0-maven-deps.drv':
  #     specified: sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
  #        got:    sha256-<the real hash>
  # and you paste the `got:` value here. Change it again whenever a dependency or plugin version in any
  # pom.xml changes. Every plugin is pinned and both brotli4j natives are declared explicitly, so one
  # hash serves x86_64-linux and aarch64-linux.
  mvnHash = lib.fakeHash;

  mvnJdk = jdk17;
  # Tests need git fixtures, real JVMs, qemu and PostgreSQL: not in the build sandbox (`.ci/run` runs them).
  # Also makes both phases pass -DskipTests.
  doCheck = false;

  nativeBuildInputs = [
    makeWrapper
    # Deterministic jars (no timestamps, sorted entries): java.section.md in the nixpkgs manual.
    stripJavaArchivesHook
  ];
  # For patchShebangs: bin/ktest-ci and bin/ci-status are bash scripts (#!/usr/bin/env bash).
  buildInputs = [ bash ];

  # `mvn package` leaves the runnable distribution in dist/target/ktest-ci-<version>/ (bin/ktest-ci,
  # bin/ci-status, lib/*.jar). It goes to share/ktest-ci (private jars: share/java is for libraries);
  # bin/ gets wrappers that pin the JVM.
  installPhase = ''
    runHook preInstall

    dists=(dist/target/ktest-ci-*/)
    if [ "''${#dists[@]}" -ne 1 ] || [ ! -f "''${dists[0]}bin/ktest-ci" ]; then
      echo "expected exactly one dist/target/ktest-ci-*/ with bin/ktest-ci, found: ''${dists[*]}" >&2
      exit 1
    fi
    mkdir -p "$out/share/ktest-ci" "$out/bin"
    cp -r "''${dists[0]}". "$out/share/ktest-ci/"
    chmod +x "$out/share/ktest-ci/bin/ktest-ci" "$out/share/ktest-ci/bin/ci-status"

    for program in ktest-ci ci-status; do
      makeWrapper "$out/share/ktest-ci/bin/$program" "$out/bin/$program" \
        --set JAVA_HOME ${runtimeJava} \
        --prefix PATH : ${lib.makeBinPath [ runtimeJava ]}
    done

    runHook postInstall
  '';

  meta = {
    description = "Distributed continuous integration for Linux kernels on ktest";
    mainProgram = "ktest-ci";
    platforms = [
      "x86_64-linux"
      "aarch64-linux"
    ];
  };
}
