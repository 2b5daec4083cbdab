# A stand-in for nixpkgs' package set: fake packages whose outPath is a scratch directory the `run` script
# fills with dummy executables (systemd-analyze verify insists that ExecStart= programs exist), plus the
# few builders the modules and nix/package.nix call. As with stub-lib.nix, anything not here is an error.
{
  lib,
  # Scratch directory standing in for /nix/store.
  stubRoot,
  system ? "x86_64-linux",
  # Attributes merged over the set, e.g. an overlay's ktest-ci.
  extra ? { },
}:
let
  b = builtins;

  # A package: `bins` are the programs the run script creates under <outPath>/bin.
  mkPackage =
    name: bins:
    {
      type = "derivation";
      inherit name;
      pname = name;
      outPath = "${stubRoot}/pkgs/${name}";
      meta.mainProgram = if bins == [ ] then null else b.head bins;
      stubBins = bins;
    };

  # Files the modules write into the store: their text is kept for the checks (bash -n, content).
  mkFile = kind: name: content: {
    type = "derivation";
    inherit name;
    outPath = "${stubRoot}/${kind}/${name}";
    stubBins = [ ];
    stubContent = content;
  };

  self = {
    inherit lib;
    bash = mkPackage "bash" [ "bash" ];
    coreutils = mkPackage "coreutils" [ "ls" ];
    git = mkPackage "git" [ "git" ];
    brotli = mkPackage "brotli" [ "brotli" ];
    kmod = mkPackage "kmod" [ "depmod" "modprobe" ];
    qemu_kvm = mkPackage "qemu-kvm" [ "qemu-system-x86_64" ];
    busybox = mkPackage "busybox" [ "busybox" ];
    pkgsStatic.busybox = mkPackage "busybox-static" [ "busybox" ];
    postgresql = mkPackage "postgresql" [
      "psql"
      "postgres"
    ];
    jdk17 = mkPackage "openjdk-17" [ "java" ];
    jdk17_headless = mkPackage "openjdk-headless-17" [ "java" ];
    makeWrapper = mkPackage "make-wrapper-hook" [ ];
    stripJavaArchivesHook = mkPackage "strip-java-archives-hook" [ ];
    gcc = mkPackage "gcc" [ "gcc" ];

    maven = mkPackage "maven" [ "mvn" ];

    # stdenv.mkDerivation: the attributes it is given, as a package. `run` executes buildPhase (with a
    # recording mvn) and installPhase against this outPath, so bin/ktest-ci exists only if they make it.
    stdenv = {
      hostPlatform = {
        inherit system;
      };
      mkDerivation =
        attrs:
        attrs
        // {
          type = "derivation";
          name = "${attrs.pname}-${attrs.version}";
          outPath = "${stubRoot}/pkgs/${attrs.pname}-${attrs.version}";
          stubBins = [ ];
        };
    };

    # fetchurl: a fixed-output fetch; nixpkgs' formals, of which these are the ones we may use.
    fetchurl =
      {
        url,
        sha256 ? null,
        hash ? null,
        name ? null,
      }:
      if (sha256 == null) == (hash == null) then
        throw "fetchurl ${url}: give exactly one of sha256 and hash"
      else
        {
          type = "derivation";
          name = if name != null then name else baseNameOf url;
          inherit url sha256 hash;
          outPath = "${stubRoot}/fetchurl/${b.hashString "sha256" url}-${baseNameOf url}";
          stubBins = [ ];
        };

    # linkFarm with a list of { name; path; }: a directory of symlinks `name` -> `path`.
    linkFarm =
      name: entries:
      if !(b.isList entries) then
        throw "linkFarm ${name}: the stub takes the list form"
      else
        mkPackage name [ ] // { stubEntries = entries; };

    formats.toml =
      { }:
      {
        # Nested tables, arrays and scalars only (no functions, no packages); null is dropped by common.nix.
        type = {
          _type = "option-type";
          name = "tomlValue";
          description = "TOML value";
          check =
            v:
            let
              ok =
                x:
                x == null
                || b.isBool x
                || b.isInt x
                || b.isFloat x
                || b.isString x
                || (b.isList x && b.all ok x)
                || (b.isAttrs x && !(x ? type) && !(x ? _type) && b.all (n: ok x.${n}) (b.attrNames x));
            in
            ok v;
        };
        generate = name: value: mkFile "etc" name value;
      };

    writeText = name: text: mkFile "text" name text;
    writeShellScript = name: text: mkFile "scripts" name "#!/bin/bash\n${text}" // { stubBins = [ ]; };
    runCommand =
      name: _env: script:
      mkPackage name [ ] // { stubScript = script; };

    # Like nixpkgs: fill the function's formals from the set; a formal without default that the set lacks
    # is an error.
    callPackage =
      fn: args:
      let
        f = if b.isFunction fn then fn else import fn;
        formals = b.functionArgs f;
        missing = b.filter (n: !formals.${n} && !(self ? ${n}) && !(args ? ${n})) (b.attrNames formals);
      in
      if missing != [ ] then
        throw "callPackage: no stub for ${b.concatStringsSep ", " missing}"
      else
        f (b.intersectAttrs formals self // args);
  }
  // extra;
in
self
