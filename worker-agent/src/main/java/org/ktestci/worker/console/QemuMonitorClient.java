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
 * Sends the {@code QEMU_MONITOR} commands {@link MonitorPolicy} allows to qemu's monitor socket
 * ({@code <tmp>/mon}) and logs its answer, waiting up to 5 s for it. Failures are only notes: a monitor command
 * never decides a verdict.
 */
final class QemuMonitorClient {
    private static final long REPLY_WINDOW_MS = 5_000;
    private static final String PROMPT = "(qemu) ";

    private final Optional<Path> socket;

    QemuMonitorClient(Optional<Path> socket) {
        this.socket = socket;
    }

    /**
     * The human monitor greets every connection and echoes what it is sent, a character at a time, after a
     * {@code (qemu)} prompt; only its answers ({@code OK}, {@code Error: …}) are worth a note.
     */
    static boolean isChatter(String reply) {
        return reply.isEmpty() || reply.startsWith("(qemu)") || reply.matches("^QEMU [0-9.]+ monitor - type 'help'.*");
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
            int prompts = 0;
            long deadline = System.currentTimeMillis() + REPLY_WINDOW_MS;
            // The monitor prompts "(qemu) " before reading our command and again once it has answered it.
            while (System.currentTimeMillis() < deadline && prompts < 2) {
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    Thread.sleep(20);
                    continue;
                }
                buf.flip();
                String text = StandardCharsets.UTF_8.decode(buf).toString();
                buf.clear();
                for (int at = text.indexOf(PROMPT); at >= 0; at = text.indexOf(PROMPT, at + 1)) {
                    prompts++;
                }
                pending.append(text);
                int nl;
                while ((nl = pending.indexOf("\n")) >= 0) {
                    String reply = pending.substring(0, nl).replace("\r", "").strip();
                    pending.delete(0, nl + 1);
                    if (!isChatter(reply)) {
                        note.accept("qemu monitor: " + reply);
                    }
                }
            }
        } catch (IOException e) {
            note.accept("QEMU_MONITOR failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
