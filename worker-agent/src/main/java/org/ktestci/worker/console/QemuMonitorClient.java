package org.ktestci.worker.console;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Sends {@code QEMU_MONITOR} commands to qemu's monitor socket ({@code <tmp>/mon}) and logs its replies for up
 * to 5 s. Failures are only notes: a monitor command never decides a verdict.
 */
final class QemuMonitorClient {
    private static final long REPLY_WINDOW_MS = 5_000;

    private final Optional<Path> socket;

    QemuMonitorClient(Optional<Path> socket) {
        this.socket = socket;
    }

    void send(String command, Consumer<String> note) {
        if (socket.isEmpty() || !Files.exists(socket.get())) {
            note.accept("QEMU_MONITOR ignored: no monitor socket for this runner");
            return;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket.get()));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.configureBlocking(false);
            ByteBuffer buf = ByteBuffer.allocate(8192);
            StringBuilder pending = new StringBuilder();
            long deadline = System.currentTimeMillis() + REPLY_WINDOW_MS;
            while (System.currentTimeMillis() < deadline) {
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    Thread.sleep(50);
                    continue;
                }
                buf.flip();
                pending.append(StandardCharsets.UTF_8.decode(buf));
                buf.clear();
                int nl;
                while ((nl = pending.indexOf("\n")) >= 0) {
                    note.accept("qemu monitor: " + pending.substring(0, nl).replace("\r", ""));
                    pending.delete(0, nl + 1);
                }
            }
        } catch (IOException e) {
            note.accept("QEMU_MONITOR failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
