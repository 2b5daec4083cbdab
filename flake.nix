{
  description = "ktest-ci: distributed CI for Linux kernels on ktest (package and NixOS modules)";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: {
        ktest-ci = pkgs.callPackage ./nix/package.nix { };
        default = self.packages.${pkgs.stdenv.hostPlatform.system}.ktest-ci;
      });

      # Adds pkgs.ktest-ci, the modules' default package.
      overlays.default = final: _prev: { ktest-ci = final.callPackage ./nix/package.nix { }; };

      # Without the overlay, the modules build nix/package.nix with the host's own nixpkgs.
      nixosModules = {
        ktest-ci-worker = ./nix/worker.nix;
        ktest-ci-coordinator = ./nix/coordinator.nix;
        default = {
          imports = [
            ./nix/worker.nix
            ./nix/coordinator.nix
          ];
        };
      };
    };
}
