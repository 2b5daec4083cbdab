# What services.ktest-ci-worker and services.ktest-ci-coordinator share on one host: the single
# /etc/ktest-ci.toml both programs read (spec config.md: one file, every key known to every program), the
# service user, and the package on the system PATH. Imported by both modules; the module system loads
# it once.
#
# The rendered file lands in the world-readable /nix/store: only *paths* of secrets may be in it
# (cluster.tls_key, persistence.password_file, http.admin_token_file are paths in the spec).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  # A module that is not imported on this host counts as disabled.
  disabled = {
    enable = false;
  };
  worker = config.services.ktest-ci-worker or disabled;
  coordinator = config.services.ktest-ci-coordinator or disabled;
  enabled = lib.filter (m: m.enable) [
    worker
    coordinator
  ];

  format = pkgs.formats.toml { };

  # TOML has no null: an unset typed key (null) is left out, so the program applies its own default.
  dropNulls = lib.filterAttrsRecursive (_: v: v != null);

  # Both modules contribute settings; a key both set must agree (the programs read one file).
  conflicts =
    path: a: b:
    lib.concatMap (
      name:
      let
        here = path ++ [ name ];
      in
      if !(b ? ${name}) then
        [ ]
      else if lib.isAttrs a.${name} && lib.isAttrs b.${name} then
        conflicts here a.${name} b.${name}
      else if a.${name} == b.${name} then
        [ ]
      else
        [ (lib.concatStringsSep "." here) ]
    ) (lib.attrNames a);

  workerSettings = if worker.enable then dropNulls worker.settings else { };
  coordinatorSettings = if coordinator.enable then dropNulls coordinator.settings else { };
  settingConflicts = conflicts [ ] coordinatorSettings workerSettings;
  settings = lib.recursiveUpdate coordinatorSettings workerSettings;

  packages = lib.unique (map (m: m.package) enabled);
  defaultUserModules = lib.filter (m: m.user == "ktest-ci") enabled;
  defaultGroupModules = lib.filter (m: m.group == "ktest-ci") enabled;
in
{
  config = lib.mkIf (enabled != [ ]) {
    assertions = [
      {
        assertion = settingConflicts == [ ];
        message =
          "services.ktest-ci-worker.settings and services.ktest-ci-coordinator.settings disagree on "
          + lib.concatStringsSep ", " settingConflicts
          + ": both programs read the one /etc/ktest-ci.toml, so set these keys to the same value.";
      }
      {
        assertion = lib.length packages == 1;
        message = "services.ktest-ci-worker.package and services.ktest-ci-coordinator.package must be the same package on one host.";
      }
    ];

    environment.etc."ktest-ci.toml".source = format.generate "ktest-ci.toml" settings;

    # `ktest-ci` and `ci-status` for the operator (check-config, import-kernel, status).
    environment.systemPackages = packages;

    # A static user (not DynamicUser): results and workspaces outlive restarts, and local tools (ci-status,
    # a web server) read output_dir. Created only when a module uses the default name.
    users.users = lib.mkIf (defaultUserModules != [ ]) {
      ktest-ci = {
        isSystemUser = true;
        group = (lib.head defaultUserModules).group;
        description = "ktest-ci service user";
        # The services' working directory; JGit and git keep their per-user config here (ProtectHome hides /home).
        home = "/var/lib/ktest-ci";
        # /dev/kvm for the worker's VMs; the unit adds the group too (SupplementaryGroups).
        extraGroups = lib.optional (worker.enable && worker.user == "ktest-ci") "kvm";
      };
    };
    users.groups = lib.mkIf (defaultGroupModules != [ ]) { ktest-ci = { }; };
  };
}
