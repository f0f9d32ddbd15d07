package io.tagstream.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Free loopback ports, and waiting until a server listens on one. */
public final class Ports {

    private Ports() {}

    /**
     * A free loopback port below Linux's ephemeral range (see {@link #freeRun}). A port the kernel hands out for
     * {@code bind(0)} is an ephemeral one, which any outgoing connection of this machine (a Kafka client, an HTTP
     * request) may take between this call and the server binding it: a chain test once found its poller's port taken
     * that way.
     */
    public static int free() {
        return freeRun(1);
    }

    /**
     * {@code preferred} when it is free and no other caller took it (a forge's well-known port, such as Gitea's SSH on
     * 30022, so a test shows the URL users write), otherwise {@link #free()}.
     */
    public static synchronized int preferred(int preferred) {
        if (!GIVEN.contains(preferred) && bindable(preferred)) {
            GIVEN.add(preferred);
            return preferred;
        }
        return free();
    }

    /**
     * The first of {@code count} consecutive free ports (a KRaft broker and its controller; the four services above a
     * base port), below Linux's ephemeral range (32768+), so an outgoing connection cannot take one of them between
     * this check and the server binding it.
     */
    public static synchronized int freeRun(int count) {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = random.nextInt(20000, 32000 - count);
            if (java.util.stream.IntStream.range(port, port + count).noneMatch(GIVEN::contains)
                    && java.util.stream.IntStream.range(port, port + count).allMatch(Ports::bindable)) {
                java.util.stream.IntStream.range(port, port + count).forEach(GIVEN::add);
                return port;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports between 20000 and 32000");
    }

    /**
     * Ports handed out by this JVM: a port is free until its server binds it, so without this record two picks made
     * before either server starts (a test's poller port and its Kafka ports) could be the same port.
     */
    private static final java.util.Set<Integer> GIVEN = new java.util.HashSet<>();

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until something accepts connections on the port, or fails naming what did not come up. */
    public static void awaitListening(int port, Duration timeout, String what, Process process) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException(what + " exited with " + process.exitValue() + " before listening on " + port);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                sleep(50);
            }
        }
        throw new IllegalStateException(what + " did not listen on 127.0.0.1:" + port + " within " + timeout);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
