package org.ktestci.launcher.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA and node certificates made with openssl, as docs/tls.md tells operators to: RSA keys as
 * unencrypted PKCS#8 PEM, every node certificate carrying the common SAN {@code ktest-ci}.
 */
final class TestCertificates {
    private final Path dir;

    TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** Creates {@code <name>-ca.key} and {@code <name>-ca.crt}. */
    Path ca(String name) throws IOException, InterruptedException {
        Path key = dir.resolve(name + "-ca.key");
        Path crt = dir.resolve(name + "-ca.crt");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out",
                crt.toString(), "-days", "2", "-subj", "/CN=" + name + " test CA", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return crt;
    }

    /** Creates {@code <node>.key} and {@code <node>.crt} signed by the CA {@code caName}. */
    void node(String node, String caName) throws IOException, InterruptedException {
        Path ext = dir.resolve(node + ".ext");
        Files.writeString(ext, "subjectAltName=DNS:ktest-ci,DNS:" + node + ",IP:127.0.0.1\n"
                + "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                + "extendedKeyUsage=serverAuth,clientAuth\n");
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve(node + ".key").toString(),
                "-out", dir.resolve(node + ".csr").toString(), "-subj", "/CN=" + node);
        run("openssl", "x509", "-req", "-in", dir.resolve(node + ".csr").toString(), "-CA",
                dir.resolve(caName + "-ca.crt").toString(), "-CAkey", dir.resolve(caName + "-ca.key").toString(),
                "-CAcreateserial", "-out", dir.resolve(node + ".crt").toString(), "-days", "2", "-extfile",
                ext.toString());
    }

    /** The {@code [cluster]} TLS keys for a node, trusting {@code caName}. */
    String clusterTls(String node, String caName) {
        return "tls_cert = \"" + dir.resolve(node + ".crt") + "\"\ntls_key = \"" + dir.resolve(node + ".key")
                + "\"\ntls_ca = \"" + dir.resolve(caName + "-ca.crt") + "\"\n";
    }

    private void run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(argv)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " failed: " + out);
        }
    }
}
