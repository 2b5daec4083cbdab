# Evaluates nix/*.nix and flake.nix without nixpkgs (Debian's Nix 2.8; guide nixos.md §4), with
# ./stub-lib.nix and ./stub-pkgs.nix. Driven by ./run; every attribute below is meant for
# `nix-instantiate --eval --strict [--json] check.nix -A <attr>`, and a failure is an evaluation error.
#
#   options            every option of both modules (path, type, description), evaluated with
#                      `config = throw ...`: declarations never read config
#   package            nix/package.nix called like callPackage, with its source filter exercised
#   flake              flake.nix's outputs against a stub nixpkgs (packages for both systems, overlay, modules)
#   scenarios.<name>   a host configuration: rendered units, /etc/ktest-ci.toml, users, firewall; with
#                      expectations that must hold
#   negatives.<name>   configurations that must FAIL with `expect` in the error message
#
# The evaluator below is a miniature of nixpkgs' lib/modules.nix: imports (deduplicated by path),
# declared options with types and defaults, submodules with freeformType, mkIf/mkMerge/mkOverride pushed
# down to the leaves, priorities, list concatenation, conflicts, assertions. It is not the real module
# system (no NixOS defaults beyond the few stubbed below, no option merging between declarations).
{
  stubRoot ? "/tmp/ktest-ci-nix-stubs",
}:
let
  b = builtins;
  lib = import ./stub-lib.nix;
  pkgsFor =
    {
      system ? "x86_64-linux",
      extra ? { },
    }:
    import ./stub-pkgs.nix {
      inherit
        lib
        stubRoot
        system
        extra
        ;
    };
  pkgs = pkgsFor { };

  showPath = path: b.concatStringsSep "." path;
  showValue =
    v:
    let
      r = b.tryEval (b.toJSON v);
    in
    if r.success then r.value else "<not printable>";

  # ---- definitions: mkIf / mkMerge / mkOverride pushed down to leaves --------------------------------
  isWrapped =
    v:
    b.isAttrs v
    && b.elem (v._type or null) [
      "if"
      "merge"
      "override"
    ];
  isTree = v: b.isAttrs v && !(v ? _type) && (v.type or null) != "derivation";

  # A definition becomes a list of nodes ({ _node; attrs = name -> [definitions] }) and leaves
  # ({ _leaf; priority; conds; value }). Conditions are only forced at the leaves, as in lib/modules.nix
  # (pushDownProperties), so a module may read `config` in an mkIf without infinite recursion.
  normalize =
    priority: conds: v:
    if isWrapped v then
      if v._type == "if" then
        normalize priority (conds ++ [ v.condition ]) v.content
      else if v._type == "merge" then
        b.concatMap (normalize priority conds) v.contents
      else
        normalize v.priority conds v.content
    else if isTree v then
      [
        {
          _node = true;
          inherit conds;
          attrs = b.mapAttrs (_: normalize priority conds) v;
        }
      ]
    else
      [
        {
          _leaf = true;
          inherit priority conds;
          value = v;
        }
      ];

  checkCond = c: if b.isBool c then c else throw "mkIf called with a non-Boolean condition";
  active = d: b.all checkCond d.conds;

  # Merges definitions of one place: nodes recursively, leaves by priority (lowest number wins); lists of
  # equal priority are concatenated, other values must be equal.
  mergeDefs =
    path: defs:
    let
      nodes = b.filter (d: d ? _node) defs;
      leaves = b.filter (d: d ? _leaf && b.all checkCond d.conds) defs;
      best = b.foldl' (m: d: if d.priority < m then d.priority else m) 99999 leaves;
      chosen = map (d: d.value) (b.filter (d: d.priority == best) leaves);
    in
    if nodes != [ ] && b.any (d: d ? _leaf) defs then
      throw "The option `${showPath path}' is defined both as an attribute set and as a value."
    else if nodes != [ ] then
      mergeNodes path nodes
    else if chosen == [ ] then
      throw "The option `${showPath path}' is used but not defined."
    else if b.all b.isList chosen then
      b.concatLists chosen
    else if b.all (v: v == b.head chosen) chosen then
      b.head chosen
    else
      throw "The option `${showPath path}' has conflicting definition values: ${b.concatStringsSep ", " (map showValue chosen)}";

  namesOf = nodes: lib.unique (b.concatMap (n: b.attrNames n.attrs) nodes);
  defsOf = nodes: name: b.concatMap (n: n.attrs.${name} or [ ]) nodes;

  # Below the top two levels an attribute whose every definition is under a false mkIf does not exist
  # (systemd.services.ktest-ci-worker of a disabled worker); higher up that would need `config` to list
  # `config`'s own names.
  mergeNodes =
    path: nodes:
    let
      names = b.filter (n: b.length path < 2 || b.any active (defsOf nodes n)) (namesOf nodes);
    in
    b.listToAttrs (
      map (name: {
        inherit name;
        value = mergeDefs (path ++ [ name ]) (defsOf nodes name);
      }) names
    );

  # ---- declared options ------------------------------------------------------------------------------
  anyType = {
    _stubWorld = true;
    _type = "option-type";
    name = "anything";
    description = "anything";
    check = _: true;
  };

  # `opts` is a tree of declarations, `defs` its definitions. `freeform`: the type of undeclared names
  # (a submodule's freeformType), or null (then an undeclared name is an error). In the host's tree, a set
  # that declares options directly is a namespace of ours (services.ktest-ci-worker): an undeclared name
  # there is an error; elsewhere undeclared names are NixOS options this stub does not model.
  evalTree =
    path: opts: defs: freeform:
    let
      nodes = map (
        d:
        if d ? _node then d else throw "A definition for option `${showPath path}' is not of type `attribute set'."
      ) defs;
      ownNamespace = b.any (n: lib.isOption opts.${n}) (b.attrNames opts);
      freeformHere = if ownNamespace && (freeform._stubWorld or false) then null else freeform;
      undeclared = b.filter (n: !(opts ? ${n})) (namesOf nodes);
      declared = b.mapAttrs (
        name: o:
        if lib.isOption o then
          evalOption (path ++ [ name ]) o (defsOf nodes name)
        else
          evalTree (path ++ [ name ]) o (defsOf nodes name) freeformHere
      ) opts;
      free = mergeNodes path (
        map (n: {
          _node = true;
          inherit (n) conds;
          attrs = b.listToAttrs (
            map (name: {
              inherit name;
              value = n.attrs.${name} or [ ];
            }) undeclared
          );
        }) nodes
      );
      checkedFree = b.mapAttrs (
        name: v:
        if freeformHere.check v then
          v
        else
          throw "A definition for option `${showPath (path ++ [ name ])}' is not of type `${freeformHere.description}'. Definition value: ${showValue v}"
      ) free;
    in
    if freeformHere == null && undeclared != [ ] then
      throw "The option `${showPath (path ++ [ (b.head undeclared) ])}' does not exist."
    else
      checkedFree // declared;

  evalOption =
    path: o: defs:
    let
      t = o.type or (throw "The option `${showPath path}' has no type.");
      activeDefs = b.filter active defs;
      value =
        if t.name == "submodule" then
          evalSubmodule path t.module (if activeDefs != [ ] then defs else normalize 1500 [ ] (o.default or { }))
        else if activeDefs != [ ] then
          mergeDefs path defs
        else if o ? default then
          o.default
        else
          throw "The option `${showPath path}' is used but not defined.";
      checked =
        if t.name == "submodule" || t.check value then
          value
        else
          throw "A definition for option `${showPath path}' is not of type `${t.description}'. Definition value: ${showValue value}";
    in
    if (o.apply or null) != null then o.apply checked else checked;

  evalSubmodule =
    path: module: defs:
    let
      m = if b.isFunction module then module { config = result; inherit lib pkgs; } else module;
      result = evalTree path (m.options or { }) defs (m.freeformType or null);
    in
    result;

  # ---- modules ---------------------------------------------------------------------------------------
  # A root is a path or { key; module; } (an inline module).
  evalModules =
    {
      roots,
      # Definitions of the host: plain NixOS-style config, may use mkForce etc.
      host ? { },
      pkgs ? pkgsFor { },
    }:
    let
      args = {
        inherit config lib pkgs;
        options = declarations;
        modulesPath = "/stub/nixos/modules";
      };
      toItem =
        m:
        if b.isPath m then
          {
            key = toString m;
            module = import m;
          }
        else
          m;
      call =
        item:
        let
          r = if b.isFunction item.module then item.module args else item.module;
          bad = b.filter (n: !(b.elem n [ "imports" "options" "config" ])) (b.attrNames r);
        in
        if bad != [ ] then throw "module ${item.key}: unexpected top-level attribute ${b.head bad} (use options/config)" else r;
      items = b.genericClosure {
        startSet = map toItem roots;
        operator = item: map toItem ((call item).imports or [ ]);
      };
      modules = map call items;

      mergeDecls =
        path: a: c:
        a
        // b.mapAttrs (
          n: v:
          if !(a ? ${n}) then
            v
          else if lib.isOption v || lib.isOption a.${n} then
            throw "The option `${showPath (path ++ [ n ])}' is declared twice."
          else
            mergeDecls (path ++ [ n ]) a.${n} v
        ) c;
      declarations = b.foldl' (mergeDecls [ ]) { } (map (m: m.options or { }) modules);

      # The few NixOS options the modules read or extend, at option-default priority.
      nixosDefaults = {
        assertions = [ ];
        warnings = [ ];
        networking.hostName = "nixos";
        networking.firewall.allowedTCPPorts = [ ];
        environment.systemPackages = [ ];
        systemd.tmpfiles.rules = [ ];
        services.postgresql.package = pkgs.postgresql;
      };
      defs =
        normalize 1500 [ ] nixosDefaults
        ++ b.concatMap (m: normalize 100 [ ] (m.config or { })) modules
        ++ normalize 100 [ ] host;
      config = evalTree [ ] declarations defs anyType;

      failed = map (a: a.message) (b.filter (a: !a.assertion) config.assertions);
    in
    {
      inherit declarations modules;
      config =
        if failed != [ ] then
          throw "Failed assertions:\n${b.concatStringsSep "\n" (map (m: "- ${m}") failed)}"
        else
          config;
    };

  # ---- systemd units, rendered like nixos/lib/systemd-lib.nix ----------------------------------------
  # NixOS's own additions to every service PATH.
  nixosPath = [
    pkgs.coreutils
    "/stub/findutils"
    "/stub/gnugrep"
    "/stub/gnused"
    "/stub/systemd"
  ];
  renderValue =
    v:
    if b.isBool v then
      (if v then "true" else "false")
    else if b.isString v || b.isInt v || b.isAttrs v then
      toString v
    else
      throw "cannot render ${showValue v} in a unit file";
  renderLines =
    attrs:
    b.concatStringsSep "" (
      lib.mapAttrsToList (
        k: v: if b.isList v then b.concatStringsSep "" (map (x: "${k}=${renderValue x}\n") v) else "${k}=${renderValue v}\n"
      ) attrs
    );
  quoteEnv =
    k: v:
    if b.match ".*[\"\\\\].*" v != null then throw "environment ${k}: quote or backslash in value" else "\"${k}=${v}\"";
  unitText =
    name: s:
    let
      pathEntries = (s.path or [ ]) ++ nixosPath;
      env = {
        PATH = b.concatStringsSep ":" (map (p: "${p}/bin") pathEntries ++ map (p: "${p}/sbin") pathEntries);
      }
      // (s.environment or { });
      joined = k: l: lib.optionalAttrs (l != [ ]) { ${k} = b.concatStringsSep " " l; };
      unit =
        { Description = s.description or name; }
        // joined "After" (s.after or [ ])
        // joined "Before" (s.before or [ ])
        // joined "Wants" (s.wants or [ ])
        // joined "Requires" (s.requires or [ ])
        // joined "X-Restart-Triggers" (map toString (s.restartTriggers or [ ]));
      known = [
        "description"
        "wantedBy"
        "requiredBy"
        "wants"
        "after"
        "before"
        "requires"
        "path"
        "environment"
        "restartTriggers"
        "serviceConfig"
      ];
      unknown = b.filter (n: !(b.elem n known)) (b.attrNames s);
    in
    if unknown != [ ] then
      throw "systemd.services.${name}: the check renders no `${b.head unknown}'"
    else
      "[Unit]\n"
      + renderLines unit
      + "\n[Service]\n"
      + renderLines { Environment = lib.mapAttrsToList quoteEnv env; }
      + renderLines s.serviceConfig;

  # Programs the stubs promise; `run` creates them as dummy executables.
  stubExecutables =
    p:
    lib.unique (
      b.concatMap (pkg: map (bin: "${pkg.outPath}/bin/${bin}") pkg.stubBins) (
        b.filter (v: b.isAttrs v && v ? stubBins) (b.attrValues p ++ [ p.pkgsStatic.busybox ])
      )
    );

  # ---- scenarios ---------------------------------------------------------------------------------------
  workerModule = ../worker.nix;
  coordinatorModule = ../coordinator.nix;
  ktestCi = pkgs.callPackage ../package.nix { };
  etcToml = c: c.environment.etc."ktest-ci.toml".source.stubContent;

  report =
    {
      roots,
      host,
      expect ? (_: [ ]),
      pkgs ? pkgsFor { },
    }:
    let
      c = (evalModules { inherit roots host pkgs; }).config;
      failed = map (e: e.what) (b.filter (e: !e.ok) (expect c));
    in
    if failed != [ ] then
      throw "expectation failed: ${b.concatStringsSep "; " failed}"
    else
      {
        units = lib.mapAttrs unitText c.systemd.services;
        # Units NixOS itself would define, for Requires= to resolve (not verified as ours).
        stubUnits = lib.optionalAttrs (c.services.postgresql.enable or false) {
          postgresql = "[Unit]\nDescription=Stub of NixOS's postgresql.service\n\n[Service]\nExecStart=${pkgs.postgresql}/bin/postgres\n";
        };
        toml = etcToml c;
        tmpfiles = c.systemd.tmpfiles.rules;
        firewall = c.networking.firewall.allowedTCPPorts;
        users = c.users or { };
        warnings = c.warnings;
        executables = stubExecutables pkgs;
      };

  svc = c: n: c.systemd.services.${n};
  tlsHost = {
    networking.hostName = "farm1";
  };
  is = what: ok: { inherit what ok; };

  scenarios = {
    # The worker as the spec's farm1 example: nothing but the coordinator's address.
    worker-minimal = report {
      roots = [ workerModule ];
      host = tlsHost // {
        services.ktest-ci-worker = {
          enable = true;
          settings.ci_host = "ci.example.net";
        };
      };
      expect = c: [
        (is "toml has ci_host, worker.host from the host name, TLS paths from tlsDir" (
          etcToml c == {
            ci_host = "ci.example.net";
            state_dir = "/var/lib/ktest-ci";
            cluster = {
              port = 25520;
              insecure_plaintext = false;
              tls_cert = "/etc/ktest-ci/tls/node.crt";
              tls_key = "/etc/ktest-ci/tls/node.key";
              tls_ca = "/etc/ktest-ci/tls/ca.crt";
            };
            worker = {
              host = "farm1";
              ktest_dir = "/var/lib/ktest-ci/ktest";
              kernel_store = "/var/lib/ktest/kernels";
              busybox = "${pkgs.pkgsStatic.busybox}/bin/busybox";
            };
          }
        ))
        (is "user ktest-ci is a system user in group kvm, home in the state directory" (
          c.users.users.ktest-ci.isSystemUser
          && b.elem "kvm" c.users.users.ktest-ci.extraGroups
          && c.users.users.ktest-ci.home == "/var/lib/ktest-ci"
        ))
        (is "group ktest-ci exists" (c.users.groups ? ktest-ci))
        (is "cluster port open" (c.networking.firewall.allowedTCPPorts == [ 25520 ]))
        (is "ExecStart runs the package's launcher" (
          (svc c "ktest-ci-worker").serviceConfig.ExecStart == "${ktestCi}/bin/ktest-ci worker --config /etc/ktest-ci.toml"
        ))
        (is "spec lifecycle: Restart=always, KillMode=mixed, TimeoutStopSec=60, StateDirectory=ktest-ci" (
          let
            s = (svc c "ktest-ci-worker").serviceConfig;
          in
          s.Restart == "always" && s.KillMode == "mixed" && s.TimeoutStopSec == 60 && s.StateDirectory == "ktest-ci"
        ))
        (is "/dev/kvm reachable: no PrivateDevices, closed policy allowing kvm" (
          let
            s = (svc c "ktest-ci-worker").serviceConfig;
          in
          !s.PrivateDevices && s.DevicePolicy == "closed" && s.DeviceAllow == [ "/dev/kvm rw" ]
        ))
        (is "PATH has git, bash, coreutils, qemu, busybox, brotli" (
          let
            names = map (p: p.name) (svc c "ktest-ci-worker").path;
          in
          b.all (n: b.elem n names) [
            "git"
            "bash"
            "coreutils"
            "qemu-kvm"
            "ktest-ci-busybox"
            "brotli"
          ]
        ))
        (is "worker restarts when the file changes" (
          (svc c "ktest-ci-worker").restartTriggers == [ c.environment.etc."ktest-ci.toml".source ]
        ))
        (is "the package is on the system PATH" (c.environment.systemPackages == [ ktestCi ]))
        (is "no coordinator unit" (!((c.systemd.services) ? ktest-ci-coordinator)))
      ];
    };

    # Overrides: typed and freeform settings, JVM options, a hardening value changed without mkForce.
    worker-tuned = report {
      roots = [ workerModule ];
      host = tlsHost // {
        services.ktest-ci-worker = {
          enable = true;
          openFirewall = false;
          extraJavaOptions = [
            "-Xmx2g"
            "-XX:+UseG1GC"
          ];
          extraPackages = [ pkgs.gcc ];
          settings = {
            cluster.seed_nodes = [ "pekko://ktest-ci@ci.example.net:25520" ];
            worker = {
              slots = 20;
              arch = "aarch64";
              runner = "qemu";
              workspace = "/srv/ktest-ci/work";
            };
            subtest_timeout = 1800;
          };
        };
        systemd.services.ktest-ci-worker.serviceConfig.ProtectHome = "read-only";
      };
      expect = c: [
        (is "freeform keys pass through" (
          (etcToml c).worker.runner == "qemu" && (etcToml c).subtest_timeout == 1800
        ))
        (is "typed keys rendered" ((etcToml c).worker.slots == 20 && (etcToml c).worker.arch == "aarch64"))
        (is "no ci_host rendered when unset" (!((etcToml c) ? ci_host)))
        (is "JVM options through KTEST_CI_JAVA_OPTS" (
          (svc c "ktest-ci-worker").environment.KTEST_CI_JAVA_OPTS == "-Xmx2g -XX:+UseG1GC"
        ))
        (is "admin's ProtectHome wins over the module's mkDefault" (
          (svc c "ktest-ci-worker").serviceConfig.ProtectHome == "read-only"
        ))
        (is "workspace outside the state directory is created and writable" (
          c.systemd.tmpfiles.rules == [ "d /srv/ktest-ci/work 0750 ktest-ci ktest-ci - -" ]
          && (svc c "ktest-ci-worker").serviceConfig.ReadWritePaths == [ "-/srv/ktest-ci/work" ]
        ))
        (is "firewall left closed" (c.networking.firewall.allowedTCPPorts == [ ]))
        (is "extra packages on PATH" (b.elem pkgs.gcc (svc c "ktest-ci-worker").path))
      ];
    };

    # The spec's production coordinator: H2 journal, behind a reverse proxy, admin token as a credential.
    coordinator-h2 = report {
      roots = [ coordinatorModule ];
      host = {
        networking.hostName = "ci";
        services.ktest-ci-coordinator = {
          enable = true;
          adminTokenFile = "/run/secrets/ktest-ci-admin-token";
          settings = {
            ci_host = "ci.example.net";
            ci_url = "https://ci.example.net";
            http.bind = "127.0.0.1:8080";
            output_dir = "/srv/ci/ci-data";
            linux_repo = "/srv/ci/src/linux";
            repos.bcachefs-tools = {
              path = "/srv/ci/src/bcachefs-tools";
              url = "https://evilpiepirate.org/git/bcachefs-tools.git";
            };
            test_group.everyday = {
              max_commits = 40;
              tests = [ "fs/bcachefs/single_device.ktest" ];
              arch = [
                "x86_64"
                "aarch64"
              ];
            };
            branch.master = {
              fetch = "https://evilpiepirate.org/git/bcachefs-tools.git master";
              repo = "bcachefs-tools";
              test_groups = [ "everyday" ];
            };
            hosts.farm1 = {
              slots = 20;
              arch = "aarch64";
            };
          };
        };
      };
      expect =
        c:
        let
          t = etcToml c;
          s = (svc c "ktest-ci-coordinator").serviceConfig;
        in
        [
          (is "tables pass through" (t.branch.master.test_groups == [ "everyday" ] && t.hosts.farm1.slots == 20))
          (is "journal h2, no url" (t.persistence.journal == "h2" && !(t.persistence ? url)))
          (is "admin token via LoadCredential" (
            t.http.admin_token_file == "/run/credentials/ktest-ci-coordinator.service/admin_token"
            && s.LoadCredential == [ "admin_token:/run/secrets/ktest-ci-admin-token" ]
          ))
          (is "loopback HTTP: only the cluster port is opened" (c.networking.firewall.allowedTCPPorts == [ 25520 ]))
          (is "output_dir created; output_dir and repos writable" (
            c.systemd.tmpfiles.rules == [ "d /srv/ci/ci-data 0755 ktest-ci ktest-ci - -" ]
            && s.ReadWritePaths == [
              "-/srv/ci/ci-data"
              "-/srv/ci/src/linux"
              "-/srv/ci/src/bcachefs-tools"
            ]
          ))
          (is "no devices for the coordinator" s.PrivateDevices)
          (is "user without kvm" (c.users.users.ktest-ci.extraGroups == [ ]))
          (is "no PostgreSQL" (!((c.systemd.services) ? ktest-ci-postgresql-password)))
          (is "restarted on config change by default" (
            (svc c "ktest-ci-coordinator").restartTriggers == [ c.environment.etc."ktest-ci.toml".source ]
          ))
        ];
    };

    # PostgreSQL on the same host.
    coordinator-postgresql = report {
      roots = [ coordinatorModule ];
      host = {
        networking.hostName = "ci";
        services.ktest-ci-coordinator = {
          enable = true;
          database = {
            createLocally = true;
            passwordFile = "/run/secrets/ktest-ci-db";
          };
          restartOnConfigChange = false;
        };
      };
      expect =
        c:
        let
          t = etcToml c;
        in
        [
          (is "journal on PostgreSQL over TCP" (
            t.persistence == {
              journal = "postgresql";
              url = "jdbc:postgresql://127.0.0.1:5432/ktest_ci";
              user = "ktest_ci";
              password_file = "/run/credentials/ktest-ci-coordinator.service/db_password";
            }
          ))
          (is "PostgreSQL enabled with database and owner" (
            c.services.postgresql.enable
            && c.services.postgresql.ensureDatabases == [ "ktest_ci" ]
            && c.services.postgresql.ensureUsers == [
              {
                name = "ktest_ci";
                ensureDBOwnership = true;
              }
            ]
          ))
          (is "coordinator requires PostgreSQL and the password unit" (
            (svc c "ktest-ci-coordinator").requires == [
              "postgresql.service"
              "ktest-ci-postgresql-password.service"
            ]
          ))
          (is "password set from a credential by psql as postgres" (
            let
              p = (svc c "ktest-ci-postgresql-password").serviceConfig;
            in
            p.LoadCredential == [ "db_password:/run/secrets/ktest-ci-db" ]
            && p.User == "postgres"
            && p.ExecStart
              == "${pkgs.postgresql}/bin/psql --no-psqlrc -v ON_ERROR_STOP=1 -d postgres -f ${stubRoot}/text/ktest-ci-set-password.sql"
          ))
          (is "HTTP on 0.0.0.0: both ports opened" (c.networking.firewall.allowedTCPPorts == [ 25520 8080 ]))
          (is "no restart on config change when disabled" ((svc c "ktest-ci-coordinator").restartTriggers == [ ]))
        ];
    };

    # Coordinator and worker on one host share one file and one user.
    both-on-one-host = report {
      roots = [
        workerModule
        coordinatorModule
      ];
      host = {
        networking.hostName = "ci";
        services.ktest-ci-coordinator = {
          enable = true;
          settings.ci_host = "ci.example.net";
        };
        services.ktest-ci-worker = {
          enable = true;
          settings.ci_host = "ci.example.net";
          settings.worker.slots = 2;
        };
      };
      expect =
        c:
        let
          t = etcToml c;
        in
        [
          (is "one file with both roles' keys" (
            t.worker.slots == 2 && t.http.bind == "0.0.0.0:8080" && t.ci_host == "ci.example.net"
          ))
          (is "both units" (c.systemd.services ? ktest-ci-worker && c.systemd.services ? ktest-ci-coordinator))
          (is "one user, in kvm for the worker" (c.users.users.ktest-ci.extraGroups == [ "kvm" ]))
          (is "package listed once" (c.environment.systemPackages == [ ktestCi ]))
        ];
    };

    # Through the flake: nixosModules.default with the overlay's pkgs.ktest-ci.
    flake-modules = report {
      roots = [
        {
          key = "flake.nixosModules.default";
          module = flake.outputs.nixosModules.default;
        }
      ];
      pkgs = flake.overlaid;
      host = tlsHost // {
        services.ktest-ci-worker = {
          enable = true;
          settings.ci_host = "ci.example.net";
        };
      };
      expect = c: [
        (is "package from the overlay" (
          (svc c "ktest-ci-worker").serviceConfig.ExecStart
          == "${flake.overlaid.ktest-ci}/bin/ktest-ci worker --config /etc/ktest-ci.toml"
        ))
        (is "coordinator module imported but off" (!c.services.ktest-ci-coordinator.enable))
      ];
    };
  };

  # ---- negatives: each must fail, with `expect` in the message ---------------------------------------
  negative = expect: roots: host: {
    inherit expect;
    result = b.deepSeq (evalModules { inherit roots host; }).config "evaluated without error";
  };
  worker = settings: extra: {
    networking.hostName = "farm1";
    services.ktest-ci-worker = {
      enable = true;
      settings = {
        ci_host = "ci.example.net";
      }
      // settings;
    }
    // extra;
  };
  coordinator = extra: {
    services.ktest-ci-coordinator = {
      enable = true;
    }
    // extra;
  };
  negatives = {
    slots-zero = negative "`services.ktest-ci-worker.settings.worker.slots' is not of type `null or integer between 1 and 256" [
      workerModule
    ] (worker { worker.slots = 0; } { });
    undeclared-option = negative "The option `services.ktest-ci-worker.slot' does not exist" [ workerModule ] (
      worker { } { slot = 4; }
    );
    bad-arch = negative "`services.ktest-ci-worker.settings.worker.arch' is not of type" [ workerModule ] (
      worker { worker.arch = "arm64"; } { }
    );
    no-coordinator-address = negative "set settings.ci_host" [ workerModule ] {
      networking.hostName = "farm1";
      services.ktest-ci-worker.enable = true;
    };
    relative-tls-dir = negative "`services.ktest-ci-worker.tlsDir' is not of type" [ workerModule ] (
      worker { } { tlsDir = "tls"; }
    );
    java-option-with-space = negative "one option per entry" [ workerModule ] (
      worker { } { extraJavaOptions = [ "-Xmx2g -Xms1g" ]; }
    );
    tls-key-unset = negative "tls_cert, tls_key and tls_ca are required" [ workerModule ] (
      worker { cluster.tls_key = null; } { }
    );
    setting-not-toml = negative "is not of type `TOML value'" [ workerModule ] (worker { foo = pkgs.git; } { });
    bad-host-name = negative "`services.ktest-ci-worker.settings.worker.host' is not of type" [ workerModule ] (
      worker { worker.host = "farm 1"; } { }
    );
    postgresql-without-password = negative "createLocally needs database.passwordFile" [ coordinatorModule ] (
      coordinator { database.createLocally = true; }
    );
    postgresql-with-h2 = negative "createLocally needs settings.persistence.journal" [ coordinatorModule ] (
      coordinator {
        database = {
          createLocally = true;
          passwordFile = "/run/secrets/db";
        };
        settings.persistence.journal = "h2";
      }
    );
    bad-http-bind = negative "`services.ktest-ci-coordinator.settings.http.bind' is not of type" [
      coordinatorModule
    ] (coordinator { settings.http.bind = "8080"; });
    undeclared-coordinator-option = negative "The option `services.ktest-ci-coordinator.database.createLocaly' does not exist" [
      coordinatorModule
    ] (coordinator { database.createLocaly = true; });
    settings-disagree = negative "disagree on ci_host" [ workerModule coordinatorModule ] (
      worker { } { }
      // {
        services = (worker { } { }).services // (coordinator { settings.ci_host = "other.example.net"; }).services;
      }
    );
    # The stub lib is as strict as the real one about names: a typo in a module is an error.
    misspelled-lib-name = negative "attribute 'postive' missing" [
      {
        key = "inline-bad-type";
        module =
          { lib, ... }:
          {
            options.services.ktest-ci-bad.n = lib.mkOption {
              type = lib.types.ints.postive;
              default = 1;
              description = "typo";
            };
            config = { };
          };
      }
    ] { };
  };

  # ---- options ------------------------------------------------------------------------------------------
  # Declarations only, with a `config` that throws: proves option declarations (types, descriptions,
  # submodule structure) never read config.
  optionList =
    file:
    let
      noConfig = throw "option declarations must not read config";
      m = import file {
        config = noConfig;
        inherit lib pkgs;
      };
      walk =
        path: opts:
        b.concatMap (
          n:
          let
            o = opts.${n};
            p = path ++ [ n ];
          in
          if lib.isOption o then
            let
              t = o.type or (throw "option ${showPath p} has no type");
              sub = if b.isFunction t.module then t.module { config = noConfig; } else t.module;
            in
            [
              {
                path = showPath p;
                type = t.description;
                description =
                  if b.isString (o.description or null) && o.description != "" then
                    o.description
                  else
                    throw "option ${showPath p} has no description";
              }
            ]
            ++ (if t.name == "submodule" then walk p sub.options else [ ])
          else
            walk p o
        ) (b.attrNames opts);
    in
    walk [ ] m.options;

  # ---- package ------------------------------------------------------------------------------------------
  root = toString ../..;
  filterSamples = {
    "pom.xml" = [ "regular" true ];
    "coordinator/pom.xml" = [ "regular" true ];
    "coordinator/src/main/java" = [ "directory" true ];
    "schema/src/main/resources/docs" = [ "directory" true ];
    "coordinator/target" = [ "directory" false ];
    "target" = [ "directory" false ];
    "nix" = [ "directory" false ];
    "docs" = [ "directory" false ];
    ".git" = [ "directory" false ];
    ".ci" = [ "directory" false ];
    "flake.nix" = [ "regular" false ];
    "result" = [ "symlink" false ];
    "browser-tests" = [ "directory" false ];
    "browser-tests/node_modules" = [ "directory" false ];
    "bench/pom.xml" = [ "regular" true ];
  };
  package =
    let
      p = ktestCi;
      wrong = b.filter (
        rel:
        let
          s = filterSamples.${rel};
        in
        p.src.filter "${root}/${rel}" (b.elemAt s 0) != b.elemAt s 1
      ) (b.attrNames filterSamples);
      lock = b.fromJSON (b.readFile ../maven-deps.json);
      paths = b.attrNames lock.artifacts;
      entries = p.passthru.mavenRepository.stubEntries;
      # Maven Central layout: group directories, artifact, version, then a file of that artifact.
      badPaths = b.filter (
        path: b.match "[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/([A-Za-z0-9_.-]+)/([^/]+)/[^/]+\\.(jar|pom)" path == null
      ) paths;
      badHashes = b.filter (path: b.match "[0-9a-f]{64}" lock.artifacts.${path} == null) paths;
      badFetches = b.filter (
        e:
        e.path.url != "${lock.repository}/${e.name}"
        || e.path.sha256 != lock.artifacts.${e.name}
        || e.path.hash != null
      ) entries;
      has = path: lock.artifacts ? ${path};
      expect = [
        (is "pname/version" (p.pname == "ktest-ci" && p.version == "0.1.0"))
        (is "tests off in the sandbox" (p.doCheck == false && b.elem "-DskipTests" p.passthru.mvnParameters))
        (is "Maven runs on JDK 17" (p.JAVA_HOME == pkgs.jdk17))
        (is "maven, makeWrapper, stripJavaArchivesHook as build inputs" (
          p.nativeBuildInputs == [ pkgs.maven pkgs.makeWrapper pkgs.stripJavaArchivesHook ]
        ))
        (is "both platforms" (p.meta.platforms == [ "x86_64-linux" "aarch64-linux" ]))
        (is "source is the repository" (p.src.src == ../..))
        (is "source filter: ${b.concatStringsSep ", " wrong}" (wrong == [ ]))
        (is "lock: repository is Maven Central" (lock.repository == "https://repo.maven.apache.org/maven2"))
        (is "lock: ${toString (b.length paths)} artifacts, plugins included" (
          b.length paths > 100
          && has "org/apache/maven/plugins/maven-compiler-plugin/3.14.1/maven-compiler-plugin-3.14.1.jar"
          && has "org/apache/maven/plugins/maven-assembly-plugin/3.8.0/maven-assembly-plugin-3.8.0.jar"
        ))
        (is "lock: not Maven Central paths: ${b.concatStringsSep ", " badPaths}" (badPaths == [ ]))
        (is "lock: not SHA-256 in hex: ${b.concatStringsSep ", " badHashes}" (badHashes == [ ]))
        (is "lock: inputs digest" (b.match "[0-9a-f]{64}" lock.inputs != null))
        (is "repository: one fetchurl per locked file, at its Central URL with its SHA-256 (${
          b.concatStringsSep ", " (map (e: e.name) badFetches)
        })" (b.length entries == b.length paths && badFetches == [ ]))
        (is "no mvnHash left" (!(p ? mvnHash)))
      ];
      failed = map (e: e.what) (b.filter (e: !e.ok) expect);
    in
    if failed != [ ] then
      throw "package: ${b.concatStringsSep "; " failed}"
    else
      {
        inherit (p) pname version buildPhase installPhase;
        out = p.outPath;
        repository = p.passthru.mavenRepository.outPath;
        mvnParameters = p.passthru.mvnParameters;
        artifacts = b.length paths;
      };

  # ---- flake --------------------------------------------------------------------------------------------
  flake =
    let
      f = import ../../flake.nix;
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      nixpkgs = {
        inherit lib;
        legacyPackages = lib.genAttrs systems (system: pkgsFor { inherit system; });
      };
      outputs = f.outputs {
        self = outputs;
        inherit nixpkgs;
      };
      prev = pkgsFor { };
      overlaid = pkgsFor { extra = outputs.overlays.default overlaid prev; };
      expect = [
        (is "nixpkgs input" (b.isString f.inputs.nixpkgs.url))
        (is "packages for both systems" (
          b.all (s: outputs.packages.${s}.default.pname == "ktest-ci") systems
          && b.attrNames outputs.packages == b.sort b.lessThan systems
        ))
        (is "overlay adds ktest-ci" (overlaid.ktest-ci.pname == "ktest-ci"))
        (is "modules" (
          outputs.nixosModules.ktest-ci-worker == ../worker.nix
          && outputs.nixosModules.ktest-ci-coordinator == ../coordinator.nix
          && outputs.nixosModules.default.imports == [ ../worker.nix ../coordinator.nix ]
        ))
      ];
      failed = map (e: e.what) (b.filter (e: !e.ok) expect);
    in
    {
      inherit outputs overlaid;
      summary =
        if failed != [ ] then
          throw "flake: ${b.concatStringsSep "; " failed}"
        else
          {
            packages = lib.mapAttrs (_: ps: b.attrNames ps) outputs.packages;
            nixosModules = b.attrNames outputs.nixosModules;
            overlays = b.attrNames outputs.overlays;
          };
    };
in
{
  inherit scenarios negatives package;
  flake = flake.summary;
  options = {
    worker = optionList workerModule;
    coordinator = optionList coordinatorModule;
  };
  scenarioNames = b.attrNames scenarios;
  negativeNames = b.attrNames negatives;
}
