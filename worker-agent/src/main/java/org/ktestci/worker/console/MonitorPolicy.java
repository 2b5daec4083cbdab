package org.ktestci.worker.console;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which {@code QEMU_MONITOR} console lines the supervisor relays to qemu's monitor (ktest-interface.md §4.5).
 * The line comes from the guest, which runs someone's untested kernel, so only what ktest's {@code prelude.sh}
 * sends for scratch-device hot-plug is allowed, and only for this run's own scratch disks:
 * <ul>
 * <li>{@code device_del dev<N>[p<G>]};</li>
 * <li>{@code drive_add 0 <spec>} where spec is the disk's own {@code ktest_qemu_drives} entry, its id possibly
 * renamed {@code disk<N>p<G>} as {@code scratch_dev_plug} does — so the only file a guest can attach is a scratch
 * file of this run;</li>
 * <li>{@code device_add virtio-blk-pci,drive=disk<N>[p<G>],…,id=dev<N>[p<G>]} with the disk's own bus and
 * address.</li>
 * </ul>
 * Everything else ({@code pmemsave}, {@code migrate "exec:…"}, {@code screendump}, a {@code drive_add} of a host
 * file, the root disk's {@code dev0}, …) is refused with a reason.
 */
public final class MonitorPolicy {
    /** A scratch disk as qemu was started with it: its number and its {@code -drive}/{@code -device} specs. */
    public record ScratchDisk(int number, String drive, String device) {
    }

    /** What to do with a line: send {@code command}, or refuse it for {@code reason}. */
    public sealed interface Decision permits Allowed, Refused {
    }

    public record Allowed(String command) implements Decision {
    }

    public record Refused(String reason) implements Decision {
    }

    private static final Pattern GENERATION = Pattern.compile("p(\\d{1,6})");
    private static final Pattern DEVICE_DEL = Pattern.compile("^device_del (dev(\\d{1,4})(?:p\\d{1,6})?)$");

    private final List<ScratchDisk> disks;

    private MonitorPolicy(List<ScratchDisk> disks) {
        this.disks = List.copyOf(disks);
    }

    /** A runner whose VM has no hot-pluggable disks: nothing is relayed. */
    public static MonitorPolicy none() {
        return new MonitorPolicy(List.of());
    }

    public static MonitorPolicy forScratchDisks(List<ScratchDisk> disks) {
        return new MonitorPolicy(disks);
    }

    public Decision check(String line) {
        String cmd = line.strip();
        String verb = cmd.split("\\s+", 2)[0];
        if (disks.isEmpty()) {
            return new Refused(verb + ": this run has no hot-pluggable scratch disks");
        }
        return switch (verb) {
            case "device_del" -> deviceDel(cmd);
            case "drive_add" -> driveAdd(cmd);
            case "device_add" -> deviceAdd(cmd);
            default -> new Refused(verb + ": not a scratch-device hot-plug command (device_del, drive_add, "
                    + "device_add are relayed)");
        };
    }

    private Decision deviceDel(String cmd) {
        Matcher m = DEVICE_DEL.matcher(cmd);
        if (!m.matches()) {
            return new Refused("device_del: expected 'device_del dev<N>[p<G>]'");
        }
        int n = Integer.parseInt(m.group(2));
        return disk(n).isPresent() ? new Allowed(cmd)
                : new Refused("device_del: dev" + n + " is not a scratch disk of this run");
    }

    private Decision driveAdd(String cmd) {
        if (!cmd.startsWith("drive_add 0 ")) {
            return new Refused("drive_add: expected 'drive_add 0 <this run's scratch drive spec>'");
        }
        String spec = cmd.substring("drive_add 0 ".length());
        for (ScratchDisk d : disks) {
            String id = "id=disk" + d.number() + ",";
            if (spec.equals(d.drive())) {
                return new Allowed(cmd);
            }
            int at = d.drive().indexOf(id);
            if (at < 0 || !spec.startsWith(d.drive().substring(0, at + id.length() - 1))) {
                continue;
            }
            // the same spec with the id renamed disk<N>p<G>, as scratch_dev_plug does
            String rest = spec.substring(at + id.length() - 1);
            Matcher g = GENERATION.matcher(rest);
            if (g.lookingAt() && rest.substring(g.end()).equals(d.drive().substring(at + id.length() - 1))) {
                return new Allowed(cmd);
            }
        }
        return new Refused("drive_add: only this run's scratch drives may be added back, as ktest_qemu_drives "
                + "lists them");
    }

    private Decision deviceAdd(String cmd) {
        String spec = cmd.substring("device_add".length()).strip();
        if (spec.contains(",,") || spec.contains(" ")) {
            return new Refused("device_add: expected one plain 'virtio-blk-pci,drive=…,id=…' spec");
        }
        String[] parts = spec.split(",");
        String drive = null;
        String id = null;
        String bus = null;
        String addr = null;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length != 2) {
                return new Refused("device_add: bad property '" + parts[i] + "'");
            }
            switch (kv[0]) {
                case "drive" -> drive = kv[1];
                case "id" -> id = kv[1];
                case "bus" -> bus = kv[1];
                case "addr" -> addr = kv[1];
                default -> {
                    return new Refused("device_add: property '" + kv[0] + "' is not relayed");
                }
            }
        }
        Matcher dm = drive == null ? null : Pattern.compile("^disk(\\d{1,4})(p\\d{1,6})?$").matcher(drive);
        Matcher im = id == null ? null : Pattern.compile("^dev(\\d{1,4})(p\\d{1,6})?$").matcher(id);
        if (dm == null || im == null || !dm.matches() || !im.matches() || !dm.group(1).equals(im.group(1))) {
            return new Refused("device_add: needs drive=disk<N>[p<G>] and id=dev<N>[p<G>] of one scratch disk");
        }
        Optional<ScratchDisk> d = disk(Integer.parseInt(dm.group(1)));
        if (d.isEmpty()) {
            return new Refused("device_add: disk" + dm.group(1) + " is not a scratch disk of this run");
        }
        String original = d.get().device();
        if (!parts[0].equals(original.split(",", 2)[0])
                || bus != null && !original.contains(",bus=" + bus + ",")
                || addr != null && !original.contains(",addr=" + addr + ",")) {
            return new Refused("device_add: only the disk's own device type, bus and address");
        }
        return new Allowed(cmd);
    }

    private Optional<ScratchDisk> disk(int n) {
        return disks.stream().filter(d -> d.number() == n).findFirst();
    }
}
