# ktest-ci: the Maven build, offline, from locked dependencies.
#
# nix/maven-deps.json lists every file Maven reads from its local repository to build the package (plugins and
# their dependencies, parent POMs and BOMs included), each as its path under Maven Central with its SHA-256.
# Each file is a fixed-output fetch; linkFarm lays them out as a local repository, and the build copies it and
# runs Maven offline (-o). So the first `nix build` works without a hash pasted by hand, and a dependency bump
# is a reviewed diff of that file: run nix/maven-lock write after changing a pom.xml (.ci/run fails while the
# lock is stale, and proves that the locked files alone build the package).
#
# The runtime tools the worker needs (git, qemu, busybox, ...) are NOT put into the wrapper: the NixOS
# modules put them on the service's PATH, per host (nix/worker.nix).
{
  lib,
  stdenv,
  fetchurl,
  linkFarm,
  maven,
  jdk17,
  jdk17_headless,
  makeWrapper,
  stripJavaArchivesHook,
  bash,
  # The JVM the launcher runs on: a headless Java 17, our release level.
  runtimeJava ? jdk17_headless,
}:

let
  lock = lib.importJSON ./maven-deps.json;

  # One fixed-output fetch per locked file, at its Maven Central path.
  mavenRepository = linkFarm "ktest-ci-maven-repository" (
    lib.mapAttrsToList (path: sha256: {
      name = path;
      path = fetchurl {
        url = "${lock.repository}/${path}";
        inherit sha256;
      };
    }) lock.artifacts
  );

  # Shared with nix/maven-lock (the resolution and the offline proof in .ci/run): one parameter per line.
  mvnParameters = lib.filter (line: line != "" && !lib.hasPrefix "#" line) (
    map lib.trim (lib.splitString "\n" (builtins.readFile ./mvn-parameters))
  );
in
stdenv.mkDerivation {
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
        (type == "directory" && (base == "target" || base == "node_modules"))
        || (type == "symlink" && lib.hasPrefix "result" base)
        || (topLevel && lib.elem base [
          "nix"
          "docs"
          ".ci"
          ".git"
          ".idea"
          "browser-tests"
          "flake.nix"
          "flake.lock"
        ])
      );
  };

  nativeBuildInputs = [
    maven
    makeWrapper
    # Deterministic jars (no timestamps, sorted entries): java.section.md in the nixpkgs manual.
    stripJavaArchivesHook
  ];
  # For patchShebangs: bin/ktest-ci and bin/ci-status are bash scripts (#!/usr/bin/env bash).
  buildInputs = [ bash ];

  # Maven runs on JDK 17, our release level (nixpkgs' maven wrapper only sets JAVA_HOME as a default).
  JAVA_HOME = jdk17;

  # Tests need git fixtures, real JVMs, qemu and PostgreSQL: not in the build sandbox (`.ci/run` runs them;
  # -DskipTests is in nix/mvn-parameters).
  doCheck = false;

  passthru = {
    inherit mavenRepository mvnParameters;
  };

  # A writable copy of the locked repository (Maven writes beside what it reads), then the build, offline:
  # a file missing from the lock fails here, never silently downloads.
  buildPhase = ''
    runHook preBuild

    cp -rL ${mavenRepository} "$NIX_BUILD_TOP/maven-repository"
    chmod -R u+w "$NIX_BUILD_TOP/maven-repository"
    mvn -o -B -nsu "-Dmaven.repo.local=$NIX_BUILD_TOP/maven-repository" ${lib.escapeShellArgs mvnParameters} package

    runHook postBuild
  '';

  # `mvn package` leaves the runnable distribution in dist/target/ktest-ci-<version>/ (bin/ktest-ci,
  # bin/ci-status, lib/*.jar, share/bash-completion/completions/). It goes to share/ktest-ci (private jars: share/java is for libraries);
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

    # Bash completion, generated at package time from the CLI's picocli model (dist/pom.xml), where
    # bash-completion and NixOS (programs.bash.completion) look for it.
    mkdir -p "$out/share/bash-completion/completions"
    for program in ktest-ci ci-status; do
      completion="$out/share/ktest-ci/share/bash-completion/completions/$program"
      [ -f "$completion" ] || { echo "the build left no bash completion for $program" >&2; exit 1; }
      ln -s "$completion" "$out/share/bash-completion/completions/$program"
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
