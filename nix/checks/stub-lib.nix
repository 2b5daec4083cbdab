# A tiny stand-in for nixpkgs' `lib`, enough to evaluate nix/*.nix with Debian's Nix 2.8 and no nixpkgs
# (guide nixos.md §4). Only what the modules use exists, so a misspelled name (lib.mkOptoin,
# lib.types.ints.postive) is an evaluation error, as with the real lib. Semantics follow nixpkgs/lib;
# definitions are wrapped ({ _type = "if" | "merge" | "override"; ... }) exactly like the real ones, and
# check.nix unwraps and merges them.
let
  b = builtins;

  mkType =
    name: description: check:
    {
      _type = "option-type";
      inherit name description check;
    };

  isPackage = v: b.isAttrs v && (v.type or null) == "derivation" && v ? outPath;

  types = {
    bool = mkType "bool" "boolean" b.isBool;
    int = mkType "int" "signed integer" b.isInt;
    str = mkType "str" "string" b.isString;
    nonEmptyStr = mkType "nonEmptyStr" "non-empty string" (v: b.isString v && b.match "[[:space:]]*" v == null);
    port = mkType "port" "16 bit unsigned integer" (v: b.isInt v && v >= 0 && v <= 65535);
    path = mkType "path" "path" (v: b.isPath v || (b.isString v && builtins.substring 0 1 v == "/"));
    package = mkType "package" "package" isPackage;
    anything = mkType "anything" "anything" (_: true);
    strMatching =
      pattern:
      mkType "strMatching ${b.toJSON pattern}" "string matching the pattern ${pattern}" (
        v: b.isString v && b.match pattern v != null
      );
    enum =
      values:
      mkType "enum" "one of ${b.concatStringsSep ", " (map b.toJSON values)}" (v: b.elem v values);
    ints = {
      between =
        lo: hi:
        mkType "intBetween" "integer between ${toString lo} and ${toString hi} (both inclusive)" (
          v: b.isInt v && v >= lo && v <= hi
        );
      positive = mkType "positiveInt" "positive integer, meaning >0" (v: b.isInt v && v > 0);
      unsigned = mkType "unsignedInt" "unsigned integer, meaning >=0" (v: b.isInt v && v >= 0);
    };
    nullOr =
      t:
      mkType "nullOr" "null or ${t.description}" (v: v == null || t.check v)
      // {
        nested = t;
      };
    listOf =
      t:
      mkType "listOf" "list of ${t.description}" (v: b.isList v && b.all t.check v)
      // {
        nested = t;
      };
    attrsOf =
      t:
      mkType "attrsOf" "attribute set of ${t.description}" (
        v: b.isAttrs v && b.all (n: t.check v.${n}) (b.attrNames v)
      )
      // {
        nested = t;
      };
    # The option's value is evaluated by check.nix from the module (options, freeformType, config).
    submodule =
      module:
      mkType "submodule" "submodule" b.isAttrs
      // {
        inherit module;
      };
  };

  mkOverride = priority: content: {
    _type = "override";
    inherit priority content;
  };
in
rec {
  inherit types;
  inherit (b) elem attrNames attrValues filter length head isAttrs isString isList;

  # mkOption has fixed formals in nixpkgs too: an unknown argument is an error.
  mkOption =
    {
      default ? null,
      defaultText ? null,
      example ? null,
      description ? null,
      relatedPackages ? null,
      type ? null,
      apply ? null,
      internal ? null,
      visible ? null,
      readOnly ? null,
    }@attrs:
    attrs // { _type = "option"; };
  mkEnableOption =
    name:
    mkOption {
      type = types.bool;
      default = false;
      example = true;
      description = "Whether to enable ${name}.";
    };
  isOption = v: b.isAttrs v && (v._type or null) == "option";
  literalExpression = text: {
    _type = "literalExpression";
    inherit text;
  };

  mkIf = condition: content: {
    _type = "if";
    inherit condition content;
  };
  mkMerge = contents: {
    _type = "merge";
    inherit contents;
  };
  inherit mkOverride;
  mkDefault = mkOverride 1000;
  mkForce = mkOverride 50;

  optional = cond: x: if cond then [ x ] else [ ];
  optionals = cond: xs: if cond then xs else [ ];
  optionalString = cond: s: if cond then s else "";
  optionalAttrs = cond: as: if cond then as else { };
  all = b.all;
  any = b.any;
  concatMap = b.concatMap;
  concatStringsSep = b.concatStringsSep;
  mapAttrs = b.mapAttrs;
  mapAttrsToList = f: as: map (n: f n as.${n}) (b.attrNames as);
  genAttrs =
    names: f:
    b.listToAttrs (
      map (n: {
        name = n;
        value = f n;
      }) names
    );
  filterAttrsRecursive =
    pred: set:
    b.listToAttrs (
      b.concatMap (
        name:
        let
          v = set.${name};
        in
        if pred name v then
          [
            {
              inherit name;
              value = if b.isAttrs v && !(isPackage v) then filterAttrsRecursive pred v else v;
            }
          ]
        else
          [ ]
      ) (b.attrNames set)
    );
  recursiveUpdate =
    lhs: rhs:
    lhs
    // b.mapAttrs (
      n: v:
      if b.isAttrs v && lhs ? ${n} && b.isAttrs lhs.${n} && !(isPackage v) then recursiveUpdate lhs.${n} v else v
    ) rhs;
  unique = b.foldl' (acc: x: if b.elem x acc then acc else acc ++ [ x ]) [ ];
  init = l: b.genList (b.elemAt l) (b.length l - 1);
  last = l: b.elemAt l (b.length l - 1);
  splitString = sep: s: b.filter b.isString (b.split (escapeRegex sep) s);
  escapeRegex = b.replaceStrings [ "\\" "[" "{" "(" ")" "^" "$" "?" "*" "+" "|" "." ] [
    "\\\\"
    "\\["
    "\\{"
    "\\("
    "\\)"
    "\\^"
    "\\$"
    "\\?"
    "\\*"
    "\\+"
    "\\|"
    "\\."
  ];
  toInt =
    s:
    let
      n = b.fromJSON s;
    in
    if b.match "[0-9]+" s != null then n else throw "toInt: could not convert ${b.toJSON s} to int.";
  hasPrefix = p: s: b.substring 0 (b.stringLength p) s == p;
  hasInfix = infix: s: b.match ".*${escapeRegex infix}.*" s != null;
  removePrefix = p: s: if hasPrefix p s then b.substring (b.stringLength p) (-1) s else s;
  trim =
    s:
    let
      m = b.match "[[:space:]]*(.*[^[:space:]])[[:space:]]*" s;
    in
    if m == null then "" else b.head m;
  importJSON = path: b.fromJSON (b.readFile path);
  escapeShellArg = s: "'${b.replaceStrings [ "'" ] [ "'\\''" ] (toString s)}'";
  escapeShellArgs = l: b.concatStringsSep " " (map escapeShellArg l);
  makeBinPath = ps: b.concatStringsSep ":" (map (p: "${p}/bin") ps);
  getExe = p: "${p}/bin/${p.meta.mainProgram}";
  getExe' = p: name: "${p}/bin/${name}";
  isDerivation = isPackage;
  fakeHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  # The source filter is exercised by check.nix on a few sample paths.
  cleanSourceWith =
    {
      src,
      filter ? _: _: true,
      name ? "source",
    }:
    {
      _type = "stub-source";
      inherit src filter name;
      outPath = toString src;
    };
}
