# services.ktest-ci-coordinator: the ktest-ci coordinator (branch watcher, scheduler, results, dashboard)
# on a server (spec README "Commands").
#
# Reads /etc/ktest-ci.toml, rendered from `settings` by ./common.nix; writes results into `output_dir` and
# the journal into `state_dir` (H2) or PostgreSQL; serves HTTP on `http.bind` and the cluster on 25520.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.ktest-ci-coordinator;
  format = pkgs.formats.toml { };
  stateDirectory = "/var/lib/ktest-ci";
  unitName = "ktest-ci-coordinator";
  credentials = "/run/credentials/${unitName}.service";
  # The submodule below has its own `config`; the host's is needed for a default.
  postgresqlPort = config.services.postgresql.settings.port or 5432;

  absolutePath = lib.types.strMatching "/.*";

  settingsModule =
    { config, ... }:
    {
      # RFC 42: undeclared keys ([test_group.*], [branch.*], [repos.*], [hosts.*], fetch_interval, ...) pass
      # through; ktest-ci's loader reports a misspelled key with file:line:column and a did-you-mean.
      freeformType = format.type;

      options = {
        state_dir = lib.mkOption {
          type = absolutePath;
          default = stateDirectory;
          description = ''
            Journal (H2) and workspaces. The default is the unit's StateDirectory; another path is created
            by systemd-tmpfiles and made writable for the service.
          '';
        };
        linux_repo = lib.mkOption {
          type = absolutePath;
          default = "${config.state_dir}/linux";
          defaultText = lib.literalExpression ''"''${settings.state_dir}/linux"'';
          description = ''
            Git repository the tracked branches are fetched into; must exist
            (`sudo -u ktest-ci git init --bare /var/lib/ktest-ci/linux` is enough).
          '';
        };
        output_dir = lib.mkOption {
          type = absolutePath;
          default = "${config.state_dir}/output";
          defaultText = lib.literalExpression ''"''${settings.state_dir}/output"'';
          description = "Results tree (ktest's output_dir layout); created when missing.";
        };
        ktest_dir = lib.mkOption {
          type = absolutePath;
          default = "${config.state_dir}/ktest";
          defaultText = lib.literalExpression ''"''${settings.state_dir}/ktest"'';
          description = "ktest checkout (must contain `tests/`); the coordinator lists subtests here. May be read-only.";
        };
        ci_host = lib.mkOption {
          type = lib.types.nullOr lib.types.str;
          default = null;
          example = "ci.example.net";
          description = "Host name of the coordinator (seed node, default `ci_url` host); null: the local host name.";
        };
        ci_url = lib.mkOption {
          type = lib.types.nullOr lib.types.str;
          default = null;
          example = "https://ci.example.net";
          description = "Public base URL of the dashboard (behind a reverse proxy); null: derived from ci_host and http.bind.";
        };
        http = {
          bind = lib.mkOption {
            type = lib.types.strMatching ".+:[0-9]+";
            default = "0.0.0.0:8080";
            example = "127.0.0.1:8080";
            description = "HTTP listen address `host:port` (dashboard, /c/ results tree, /api/v1).";
          };
          admin_token_file = lib.mkOption {
            type = lib.types.nullOr absolutePath;
            default = if cfg.adminTokenFile == null then null else "${credentials}/admin_token";
            defaultText = lib.literalExpression ''
              if adminTokenFile == null then null else "${credentials}/admin_token"
            '';
            description = "Admin bearer token file; set through `adminTokenFile` (a systemd credential).";
          };
        };
        persistence = {
          journal = lib.mkOption {
            type = lib.types.enum [
              "h2"
              "postgresql"
            ];
            default = if cfg.database.createLocally then "postgresql" else "h2";
            defaultText = lib.literalExpression ''if database.createLocally then "postgresql" else "h2"'';
            description = "Event journal: H2 in state_dir (one coordinator node) or PostgreSQL (needed for failover).";
          };
          url = lib.mkOption {
            type = lib.types.nullOr lib.types.str;
            default =
              if cfg.database.createLocally then
                "jdbc:postgresql://127.0.0.1:${toString postgresqlPort}/${config.persistence.user}"
              else
                null;
            defaultText = lib.literalExpression ''
              if database.createLocally then "jdbc:postgresql://127.0.0.1:5432/ktest_ci" else null
            '';
            description = "JDBC URL of the PostgreSQL journal (TCP: pgjdbc has no Unix-socket peer authentication).";
          };
          user = lib.mkOption {
            type = lib.types.str;
            default = "ktest_ci";
            description = "PostgreSQL role (and, with database.createLocally, database name).";
          };
          password_file = lib.mkOption {
            type = lib.types.nullOr absolutePath;
            default = if cfg.database.passwordFile == null then null else "${credentials}/db_password";
            defaultText = lib.literalExpression ''
              if database.passwordFile == null then null else "${credentials}/db_password"
            '';
            description = "PostgreSQL password file; set through `database.passwordFile` (a systemd credential).";
          };
        };
        cluster = {
          port = lib.mkOption {
            type = lib.types.port;
            default = 25520;
            description = "Artery (cluster) TCP port; workers use 25520 unless given cluster.seed_nodes.";
          };
          insecure_plaintext = lib.mkOption {
            type = lib.types.bool;
            default = false;
            description = "Plain TCP instead of TLS between nodes. Local demos only.";
          };
          tls_cert = lib.mkOption {
            type = lib.types.nullOr absolutePath;
            default = if config.cluster.insecure_plaintext then null else "${cfg.tlsDir}/node.crt";
            defaultText = lib.literalExpression ''"''${config.services.ktest-ci-coordinator.tlsDir}/node.crt"'';
            description = "PEM certificate of this node, signed by the cluster CA (docs/tls.md).";
          };
          tls_key = lib.mkOption {
            type = lib.types.nullOr absolutePath;
            default = if config.cluster.insecure_plaintext then null else "${cfg.tlsDir}/node.key";
            defaultText = lib.literalExpression ''"''${config.services.ktest-ci-coordinator.tlsDir}/node.key"'';
            description = "PEM private key of this node (run-time path; readable by the service user, not by others).";
          };
          tls_ca = lib.mkOption {
            type = lib.types.nullOr absolutePath;
            default = if config.cluster.insecure_plaintext then null else "${cfg.tlsDir}/ca.crt";
            defaultText = lib.literalExpression ''"''${config.services.ktest-ci-coordinator.tlsDir}/ca.crt"'';
            description = "PEM certificate of the cluster CA.";
          };
        };
      };
    };

  bindHost = lib.concatStringsSep ":" (lib.init (lib.splitString ":" cfg.settings.http.bind));
  httpPort = lib.toInt (lib.last (lib.splitString ":" cfg.settings.http.bind));
  loopback = lib.elem bindHost [
    "127.0.0.1"
    "localhost"
    "[::1]"
    "::1"
  ];

  outsideStateDirectory = p: !(lib.hasPrefix "${stateDirectory}/" "${p}/");
  repoPaths = lib.filter (p: lib.isString p && lib.hasPrefix "/" p) (
    lib.mapAttrsToList (_: r: r.path or null) (cfg.settings.repos or { })
  );
  # Created by tmpfiles when outside the StateDirectory (git repositories are not: they must exist).
  createdPaths = lib.filter outsideStateDirectory [
    cfg.settings.state_dir
    cfg.settings.output_dir
  ];
  writablePaths = lib.unique (
    createdPaths
    ++ lib.filter outsideStateDirectory ([ cfg.settings.linux_repo ] ++ repoPaths)
  );

  dbUnit = "ktest-ci-postgresql-password.service";
  # Runs as postgres over the Unix socket; the password comes from a credential, never from argv.
  setPasswordSql = pkgs.writeText "ktest-ci-set-password.sql" ''
    \set password `cat "$CREDENTIALS_DIRECTORY/db_password"`
    ALTER ROLE "${cfg.settings.persistence.user}" WITH LOGIN PASSWORD :'password';
  '';
in
{
  imports = [ ./common.nix ];

  options.services.ktest-ci-coordinator = {
    enable = lib.mkEnableOption "the ktest-ci coordinator and dashboard";

    package = lib.mkOption {
      type = lib.types.package;
      default = pkgs.ktest-ci or (pkgs.callPackage ./package.nix { });
      defaultText = lib.literalExpression "pkgs.ktest-ci (the flake's overlay), else nix/package.nix";
      description = "The ktest-ci package (provides `bin/ktest-ci`).";
    };

    user = lib.mkOption {
      type = lib.types.str;
      default = "ktest-ci";
      description = "User the coordinator runs as; `ktest-ci` is created when left at the default.";
    };

    group = lib.mkOption {
      type = lib.types.str;
      default = "ktest-ci";
      description = "Primary group of the service; `ktest-ci` is created when left at the default.";
    };

    tlsDir = lib.mkOption {
      type = absolutePath;
      default = "/etc/ktest-ci/tls";
      description = "Directory holding `node.crt`, `node.key` and `ca.crt`, the defaults of `settings.cluster.tls_*`.";
    };

    adminTokenFile = lib.mkOption {
      type = lib.types.nullOr absolutePath;
      default = null;
      example = "/run/secrets/ktest-ci-admin-token";
      description = ''
        File holding the admin API bearer token (at least 32 characters). Read by systemd at service start
        (LoadCredential), so it may be owned by root with mode 0400; null disables the admin API.
      '';
    };

    database = {
      createLocally = lib.mkOption {
        type = lib.types.bool;
        default = false;
        description = ''
          Run PostgreSQL on this host for the journal: creates role and database `settings.persistence.user`,
          sets the role's password from `database.passwordFile`, and points `settings.persistence` at
          127.0.0.1 over TCP.
        '';
      };
      passwordFile = lib.mkOption {
        type = lib.types.nullOr absolutePath;
        default = null;
        example = "/run/secrets/ktest-ci-db-password";
        description = "PostgreSQL password of the journal's role (read by systemd at service start, LoadCredential).";
      };
    };

    extraPackages = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      description = "More programs on the service PATH (the coordinator runs the `.ktest` files' `list-tests`).";
    };

    extraJavaOptions = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "-Xmx4g" ];
      description = "JVM options, passed through KTEST_CI_JAVA_OPTS (split at spaces: one option per entry, no spaces).";
    };

    openFirewall = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Open the cluster port and, unless http.bind is a loopback address, the HTTP port.";
    };

    restartOnConfigChange = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = ''
        Restart the coordinator when the rendered /etc/ktest-ci.toml changes. The spec has the coordinator
        re-read its file by itself at the next fetch cycle (config.md §1); set this to false once the running
        version does, to keep leases running across edits of branches and test groups.
      '';
    };

    settings = lib.mkOption {
      type = lib.types.submodule settingsModule;
      default = { };
      example = lib.literalExpression ''
        {
          ci_url = "https://ci.example.net";
          http.bind = "127.0.0.1:8080";
          test_group.everyday.tests = [ "fs/bcachefs/single_device.ktest" ];
          branch.master = {
            fetch = "https://evilpiepirate.org/git/bcachefs.git master";
            test_groups = [ "everyday" ];
          };
        }
      '';
      description = ''
        ktest-ci configuration, rendered to /etc/ktest-ci.toml (shared with the worker module on the same
        host). Every key of the spec's config.md is accepted; the typed ones are listed here.
      '';
    };
  };

  config = lib.mkIf cfg.enable (
    lib.mkMerge [
      {
        assertions = [
          {
            assertion = !cfg.database.createLocally || cfg.database.passwordFile != null;
            message = "services.ktest-ci-coordinator.database.createLocally needs database.passwordFile (the journal connects over TCP with a password).";
          }
          {
            assertion = !cfg.database.createLocally || cfg.settings.persistence.journal == "postgresql";
            message = "services.ktest-ci-coordinator.database.createLocally needs settings.persistence.journal = \"postgresql\".";
          }
          {
            assertion =
              !cfg.database.createLocally
              || builtins.match "[a-z_][a-z0-9_]*" cfg.settings.persistence.user != null;
            message = "services.ktest-ci-coordinator.settings.persistence.user must be a plain lower-case SQL name with database.createLocally.";
          }
          {
            assertion = cfg.settings.persistence.journal != "postgresql" || cfg.settings.persistence.url != null;
            message = "services.ktest-ci-coordinator: settings.persistence.journal = \"postgresql\" needs settings.persistence.url (or database.createLocally).";
          }
          {
            assertion = httpPort <= 65535;
            message = "services.ktest-ci-coordinator.settings.http.bind: port ${toString httpPort} is out of range.";
          }
          {
            assertion = lib.all (o: builtins.match ".*[[:space:]].*" o == null) cfg.extraJavaOptions;
            message = "services.ktest-ci-coordinator.extraJavaOptions: one option per entry, without spaces (the launcher splits KTEST_CI_JAVA_OPTS at spaces).";
          }
          {
            assertion =
              cfg.settings.cluster.insecure_plaintext
              || lib.all (p: p != null) [
                cfg.settings.cluster.tls_cert
                cfg.settings.cluster.tls_key
                cfg.settings.cluster.tls_ca
              ];
            message = "services.ktest-ci-coordinator: settings.cluster.tls_cert, tls_key and tls_ca are required unless settings.cluster.insecure_plaintext = true.";
          }
        ];
        warnings = lib.optional cfg.settings.cluster.insecure_plaintext "services.ktest-ci-coordinator: cluster transport is NOT encrypted (settings.cluster.insecure_plaintext).";

        networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall (
          [ cfg.settings.cluster.port ] ++ lib.optional (!loopback) httpPort
        );

        systemd.tmpfiles.rules = map (p: "d ${p} 0755 ${cfg.user} ${cfg.group} - -") createdPaths;

        systemd.services.${unitName} = {
          description = "ktest-ci coordinator and dashboard";
          wantedBy = [ "multi-user.target" ];
          wants = [ "network-online.target" ];
          after = [ "network-online.target" ] ++ lib.optionals cfg.database.createLocally [ "postgresql.service" dbUnit ];
          requires = lib.optionals cfg.database.createLocally [ "postgresql.service" dbUnit ];

          # bash: `list-tests` runs the .ktest files; git, brotli: as on the workers.
          path = [
            pkgs.bash
            pkgs.coreutils
            pkgs.git
            pkgs.brotli
          ]
          ++ cfg.extraPackages;

          environment = lib.optionalAttrs (cfg.extraJavaOptions != [ ]) {
            KTEST_CI_JAVA_OPTS = lib.concatStringsSep " " cfg.extraJavaOptions;
          };

          restartTriggers = lib.optional cfg.restartOnConfigChange config.environment.etc."ktest-ci.toml".source;

          serviceConfig = {
            ExecStart = "${cfg.package}/bin/ktest-ci coordinator --config /etc/ktest-ci.toml";
            User = cfg.user;
            Group = cfg.group;
            StateDirectory = "ktest-ci";
            WorkingDirectory = stateDirectory;
            ReadWritePaths = map (p: "-${p}") writablePaths;
            # Root-owned secrets become 0400 copies owned by the service user under /run/credentials.
            LoadCredential =
              lib.optional (cfg.adminTokenFile != null) "admin_token:${cfg.adminTokenFile}"
              ++ lib.optional (cfg.database.passwordFile != null) "db_password:${cfg.database.passwordFile}";

            Restart = lib.mkDefault "always";
            RestartSec = lib.mkDefault 5;
            RestartPreventExitStatus = lib.mkDefault 78;
            KillMode = lib.mkDefault "mixed";
            TimeoutStopSec = lib.mkDefault 60;
            SuccessExitStatus = lib.mkDefault 143;
            LimitNOFILE = lib.mkDefault 65536;
          }
          // lib.mapAttrs (_: lib.mkDefault) {
            # Hardening (guide nixos.md §2); the coordinator needs no devices.
            PrivateDevices = true;
            DevicePolicy = "closed";
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
            # output_dir is read by local tools (ci-status, a web server): world-readable like the dashboard.
            UMask = "0022";
            RemoveIPC = true;
            # Not set: MemoryDenyWriteExecute (the JVM's JIT), PrivateNetwork (cluster, git, PostgreSQL).
          };
        };
      }

      (lib.mkIf cfg.database.createLocally {
        services.postgresql = {
          enable = true;
          ensureDatabases = [ cfg.settings.persistence.user ];
          ensureUsers = [
            {
              name = cfg.settings.persistence.user;
              ensureDBOwnership = true;
            }
          ];
        };

        # ensureUsers creates the role without a password; pgjdbc logs in over TCP, so set one.
        systemd.services.ktest-ci-postgresql-password = {
          description = "Set the ktest-ci PostgreSQL role's password";
          requires = [ "postgresql.service" ];
          wants = [ "postgresql-setup.service" ];
          # postgresql-setup.service runs ensureUsers on recent NixOS, postgresql.service's post-start on older.
          after = [
            "postgresql.service"
            "postgresql-setup.service"
          ];
          before = [ "${unitName}.service" ];
          serviceConfig = {
            Type = "oneshot";
            RemainAfterExit = true;
            User = "postgres";
            Group = "postgres";
            LoadCredential = [ "db_password:${cfg.database.passwordFile}" ];
            ExecStart = "${config.services.postgresql.package}/bin/psql --no-psqlrc -v ON_ERROR_STOP=1 -d postgres -f ${setPasswordSql}";
          }
          // lib.mapAttrs (_: lib.mkDefault) {
            # Talks to the server's Unix socket only (a file: PrivateNetwork does not hide it).
            PrivateNetwork = true;
            RestrictAddressFamilies = [ "AF_UNIX" ];
            PrivateDevices = true;
            PrivateTmp = true;
            ProtectSystem = "strict";
            ProtectHome = true;
            NoNewPrivileges = true;
            CapabilityBoundingSet = "";
            ProtectKernelTunables = true;
            ProtectKernelModules = true;
            ProtectKernelLogs = true;
            ProtectControlGroups = true;
            ProtectClock = true;
            ProtectHostname = true;
            RestrictNamespaces = true;
            RestrictRealtime = true;
            RestrictSUIDSGID = true;
            LockPersonality = true;
            MemoryDenyWriteExecute = true;
            SystemCallArchitectures = "native";
            UMask = "0077";
          };
        };
      })
    ]
  );
}
