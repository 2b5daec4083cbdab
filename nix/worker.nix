# services.ktest-ci-worker: a ktest-ci worker agent on a farm host (spec README "Commands").
#
# The worker joins the coordinator's Pekko cluster (TCP 25520, TLS with PEM files under tlsDir), announces
# its slots and runs batches: git checkouts in its workspace, qemu VMs on /dev/kvm. Everything it reads
# is in /etc/ktest-ci.toml, rendered from `settings` by ./common.nix.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.ktest-ci-worker;
  format = pkgs.formats.toml { };
  stateDirectory = "/var/lib/ktest-ci";
  # The submodule below has its own `config`; the host's is needed for a default.
  hostName = config.networking.hostName;

  absolutePath = lib.types.strMatching "/.*";

  settingsModule =
    { config, ... }:
    {
      # RFC 42: keys not declared here pass through to the file unchanged; ktest-ci's own loader rejects
      # a misspelled key with file:line:column and a did-you-mean.
      freeformType = format.type;

      options = {
        ci_host = lib.mkOption {
          type = lib.types.nullOr lib.types.str;
          default = null;
          example = "ci.example.net";
          description = ''
            Host name of the coordinator: the worker joins the cluster through the seed node
            `pekko://ktest-ci@<ci_host>:25520`. Set this or `cluster.seed_nodes`.
          '';
        };
        state_dir = lib.mkOption {
          type = absolutePath;
          default = stateDirectory;
          description = ''
            Journal and worker workspaces. The default is the unit's StateDirectory; another path is
            created by systemd-tmpfiles and made writable for the service.
          '';
        };
        cluster = {
          seed_nodes = lib.mkOption {
            type = lib.types.nullOr (lib.types.listOf lib.types.str);
            default = null;
            example = [ "pekko://ktest-ci@ci.example.net:25520" ];
            description = "Pekko addresses of the coordinator nodes (system name `ktest-ci`); default from `ci_host`.";
          };
          port = lib.mkOption {
            type = lib.types.port;
            default = 25520;
            description = "Artery (cluster) TCP port of this node.";
          };
          insecure_plaintext = lib.mkOption {
            type = lib.types.bool;
            default = false;
            description = "Plain TCP instead of TLS between nodes. Local demos only.";
          };
          tls_cert = lib.mkOption {
            type = lib.types.nullOr absolutePath;
            default = if config.cluster.insecure_plaintext then null else "${cfg.tlsDir}/node.crt";
            defaultText = lib.literalExpression ''"''${config.services.ktest-ci-worker.tlsDir}/node.crt"'';
            description = "PEM certificate of this node, signed by the cluster CA (docs/tls.md).";
          };
          tls_key = lib.mkOption {
            type = lib.types.nullOr absolutePath;
            default = if config.cluster.insecure_plaintext then null else "${cfg.tlsDir}/node.key";
            defaultText = lib.literalExpression ''"''${config.services.ktest-ci-worker.tlsDir}/node.key"'';
            description = ''
              PEM private key of this node. A path read at run time (never copied into the Nix store);
              the service user must be able to read it, e.g. owner root, group ktest-ci, mode 0640.
            '';
          };
          tls_ca = lib.mkOption {
            type = lib.types.nullOr absolutePath;
            default = if config.cluster.insecure_plaintext then null else "${cfg.tlsDir}/ca.crt";
            defaultText = lib.literalExpression ''"''${config.services.ktest-ci-worker.tlsDir}/ca.crt"'';
            description = "PEM certificate of the CA that signs every node of the cluster.";
          };
        };
        worker = {
          host = lib.mkOption {
            type = lib.types.strMatching "[A-Za-z0-9.-]+";
            default = hostName;
            defaultText = lib.literalExpression "config.networking.hostName";
            description = "Name this host announces; slots are named `<host>:<n>`.";
          };
          arch = lib.mkOption {
            type = lib.types.nullOr (
              lib.types.enum [
                "x86_64"
                "aarch64"
              ]
            );
            default = null;
            description = "Architecture this host runs tests for; null: detected by the worker from the JVM.";
          };
          slots = lib.mkOption {
            type = lib.types.nullOr (lib.types.ints.between 1 256);
            default = null;
            example = 20;
            description = "Number of batches run at once; null: max(1, CPUs / 4).";
          };
          ktest_dir = lib.mkOption {
            type = absolutePath;
            default = "${config.state_dir}/ktest";
            defaultText = lib.literalExpression ''"''${settings.state_dir}/ktest"'';
            description = ''
              The worker's ktest checkout (must contain `tests/`); read-only during batches. Clone it once,
              e.g. `sudo -u ktest-ci git clone https://github.com/koverstreet/ktest /var/lib/ktest-ci/ktest`.
            '';
          };
          kernel_store = lib.mkOption {
            type = absolutePath;
            default = "/var/lib/ktest/kernels";
            description = "Where kernel-store ids resolve (qemu runner); filled with `ktest-ci worker import-kernel`.";
          };
          busybox = lib.mkOption {
            type = absolutePath;
            default = lib.getExe' pkgs.pkgsStatic.busybox "busybox";
            defaultText = lib.literalExpression ''lib.getExe' pkgs.pkgsStatic.busybox "busybox"'';
            description = "Statically linked busybox put into the qemu runner's initramfs.";
          };
          workspace = lib.mkOption {
            type = lib.types.nullOr absolutePath;
            default = null;
            description = "Per-host workspace; null: `<state_dir>/work`. Made writable for the service.";
          };
        };
      };
    };

  # Only the `busybox` name on PATH: the full busybox package would shadow coreutils' ls, grep, sed ...
  busyboxOnPath = pkgs.runCommand "ktest-ci-busybox" { } ''
    mkdir -p $out/bin
    ln -s ${cfg.settings.worker.busybox} $out/bin/busybox
  '';

  writablePaths = lib.filter (p: p != null && !(lib.hasPrefix "${stateDirectory}/" "${p}/")) [
    cfg.settings.state_dir
    cfg.settings.worker.workspace
  ];
in
{
  imports = [ ./common.nix ];

  options.services.ktest-ci-worker = {
    enable = lib.mkEnableOption "the ktest-ci worker agent";

    package = lib.mkOption {
      type = lib.types.package;
      default = pkgs.ktest-ci or (pkgs.callPackage ./package.nix { });
      defaultText = lib.literalExpression "pkgs.ktest-ci (the flake's overlay), else nix/package.nix";
      description = "The ktest-ci package (provides `bin/ktest-ci`).";
    };

    user = lib.mkOption {
      type = lib.types.str;
      default = "ktest-ci";
      description = "User the worker runs as; `ktest-ci` is created (in group kvm), another name must exist.";
    };

    group = lib.mkOption {
      type = lib.types.str;
      default = "ktest-ci";
      description = "Primary group of the service; `ktest-ci` is created when left at the default.";
    };

    tlsDir = lib.mkOption {
      type = absolutePath;
      default = "/etc/ktest-ci/tls";
      description = ''
        Directory holding `node.crt`, `node.key` and `ca.crt`, the defaults of `settings.cluster.tls_*`.
        A run-time path: the files are never copied into the Nix store. Replaced files are picked up
        without a restart (docs/tls.md).
      '';
    };

    qemuPackage = lib.mkOption {
      type = lib.types.package;
      default = pkgs.qemu_kvm;
      defaultText = lib.literalExpression "pkgs.qemu_kvm";
      description = "qemu on the service PATH (`qemu-system-<arch>`); qemu_kvm has only the host's architecture.";
    };

    extraPackages = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      example = lib.literalExpression "with pkgs; [ gcc gnumake flex bison bc elfutils openssl pahole virtiofsd ]";
      description = "More programs on the service PATH, e.g. a kernel build toolchain or what the ktest runner calls.";
    };

    extraJavaOptions = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "-Xmx2g" ];
      description = "JVM options, passed through KTEST_CI_JAVA_OPTS (split at spaces: one option per entry, no spaces).";
    };

    openFirewall = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Open the cluster port (`settings.cluster.port`, 25520) in the firewall; other nodes connect to it.";
    };

    settings = lib.mkOption {
      type = lib.types.submodule settingsModule;
      default = { };
      example = lib.literalExpression ''
        {
          ci_host = "ci.example.net";
          worker.slots = 20;
          worker.runner = "qemu";
        }
      '';
      description = ''
        ktest-ci configuration, rendered to /etc/ktest-ci.toml (shared with the coordinator module on the
        same host). Every key of the spec's config.md is accepted; the typed ones are listed here.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.settings.ci_host != null || cfg.settings.cluster.seed_nodes != null;
        message = "services.ktest-ci-worker: set settings.ci_host (the coordinator's host name) or settings.cluster.seed_nodes.";
      }
      {
        assertion = lib.all (o: builtins.match ".*[[:space:]].*" o == null) cfg.extraJavaOptions;
        message = "services.ktest-ci-worker.extraJavaOptions: one option per entry, without spaces (the launcher splits KTEST_CI_JAVA_OPTS at spaces).";
      }
      {
        assertion =
          cfg.settings.cluster.insecure_plaintext
          || lib.all (p: p != null) [
            cfg.settings.cluster.tls_cert
            cfg.settings.cluster.tls_key
            cfg.settings.cluster.tls_ca
          ];
        message = "services.ktest-ci-worker: settings.cluster.tls_cert, tls_key and tls_ca are required unless settings.cluster.insecure_plaintext = true.";
      }
    ];
    warnings = lib.optional cfg.settings.cluster.insecure_plaintext "services.ktest-ci-worker: cluster transport is NOT encrypted (settings.cluster.insecure_plaintext).";

    networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall [ cfg.settings.cluster.port ];

    systemd.tmpfiles.rules = map (p: "d ${p} 0750 ${cfg.user} ${cfg.group} - -") writablePaths;

    systemd.services.ktest-ci-worker = {
      description = "ktest-ci worker agent";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];

      # git: checkouts; bash: .ktest files and the initramfs; brotli: logs; qemu and busybox: the qemu runner;
      # kmod: depmod, for kernel-store entries that ship no modules.dep (the qemu runner indexes them itself).
      # (NixOS adds coreutils, findutils, gnugrep, gnused and systemd after these.)
      path = [
        pkgs.bash
        pkgs.coreutils
        pkgs.git
        pkgs.brotli
        pkgs.kmod
        cfg.qemuPackage
      ]
      ++ cfg.extraPackages
      ++ [ busyboxOnPath ];

      environment = lib.optionalAttrs (cfg.extraJavaOptions != [ ]) {
        KTEST_CI_JAVA_OPTS = lib.concatStringsSep " " cfg.extraJavaOptions;
      };

      # The worker reads the file only at start.
      restartTriggers = [ config.environment.etc."ktest-ci.toml".source ];

      serviceConfig = {
        ExecStart = "${cfg.package}/bin/ktest-ci worker --config /etc/ktest-ci.toml";
        User = cfg.user;
        Group = cfg.group;
        SupplementaryGroups = [ "kvm" ];
        StateDirectory = "ktest-ci";
        WorkingDirectory = stateDirectory;
        ReadWritePaths = map (p: "-${p}") writablePaths;

        # Lifecycle (spec): SIGTERM reaches only the JVM, which stops its qemu children and says goodbye;
        # what is left after 60 s gets SIGKILL. 143 = the JVM's exit status after SIGTERM. 78 = configuration
        # error: restarting cannot fix it, the unit fails instead of looping.
        Restart = lib.mkDefault "always";
        RestartSec = lib.mkDefault 5;
        RestartPreventExitStatus = lib.mkDefault 78;
        KillMode = lib.mkDefault "mixed";
        TimeoutStopSec = lib.mkDefault 60;
        SuccessExitStatus = lib.mkDefault 143;
        LimitNOFILE = lib.mkDefault 65536;
        TasksMax = lib.mkDefault 16384;
      }
      // lib.mapAttrs (_: lib.mkDefault) {
        # Hardening (guide nixos.md §2). /dev/kvm must stay reachable: a private /dev has no kvm, so
        # PrivateDevices stays off and the device list is closed instead.
        PrivateDevices = false;
        DevicePolicy = "closed";
        DeviceAllow = [ "/dev/kvm rw" ];
        NoNewPrivileges = true;
        CapabilityBoundingSet = "";
        AmbientCapabilities = "";
        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        ProtectClock = true;
        ProtectHostname = true;
        ProtectProc = "invisible";
        RestrictSUIDSGID = true;
        RestrictRealtime = true;
        RestrictNamespaces = true;
        LockPersonality = true;
        RestrictAddressFamilies = [
          "AF_UNIX"
          "AF_INET"
          "AF_INET6"
          "AF_NETLINK"
        ];
        SystemCallArchitectures = "native";
        UMask = "0027";
        RemoveIPC = true;
        # Not set on purpose: MemoryDenyWriteExecute (JVM JIT, qemu TCG), ProcSubset=pid (memory admission
        # reads /proc/meminfo), PrivateNetwork/IPAddressDeny (cluster, git), PrivateUsers (/dev/kvm group
        # access in a user namespace is untested), SystemCallFilter (untested on aarch64; see
        # docs/operations.md for trying @system-service).
      };
    };
  };
}
