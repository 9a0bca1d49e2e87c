package dev.incidentengine.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The smallest SMTP server that takes mail (RFC 5321 without extensions, one thread per
 * connection): each message is kept as it arrived, with its envelope recipients and the moment
 * its DATA ended. The benchmark's e-mail sink: it runs in the benchmark's JVM, so it outlives an
 * engine killed mid-fan-out, stamps arrivals exactly, and takes messages faster than the notifier
 * sends them (GreenMail, the local engine's sink, parses and files each one as it arrives: about
 * 300 messages/s on the 2-core machine, a ceiling below what is measured).
 */
final class SmtpSink implements AutoCloseable {

    /** A message as it arrived: when its DATA ended ({@link System#nanoTime}), its envelope recipients, its bytes. */
    record Received(long nanoTime, List<String> recipients, byte[] data) {
    }

    private static final int MAX_LINE = 64 * 1024;
    private static final int MAX_MESSAGE = 10 * 1024 * 1024;

    private final ServerSocket server;
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final List<Socket> connections = new ArrayList<>();
    private volatile boolean closed;

    private SmtpSink(ServerSocket server) {
        this.server = server;
    }

    /** Listens on a free port of 127.0.0.1. */
    static SmtpSink start() throws IOException {
        SmtpSink sink = new SmtpSink(new ServerSocket(0, 128, InetAddress.getLoopbackAddress()));
        Thread acceptor = new Thread(sink::accept, "bench-smtp-sink");
        acceptor.setDaemon(true);
        acceptor.start();
        return sink;
    }

    int port() {
        return server.getLocalPort();
    }

    /** The next message that arrived, or null when none is waiting. */
    Received next() {
        return received.poll();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                synchronized (connections) {
                    connections.add(socket);
                }
                Thread session = new Thread(() -> serve(socket), "bench-smtp-session");
                session.setDaemon(true);
                session.start();
            } catch (IOException e) {
                // Closed.
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = new BufferedInputStream(socket.getInputStream()); OutputStream out = socket.getOutputStream()) {
            socket.setTcpNoDelay(true);
            reply(out, "220 bench-sink ESMTP");
            List<String> recipients = new ArrayList<>();
            for (String line = line(in); line != null; line = line(in)) {
                String verb = (line.length() < 4 ? line : line.substring(0, 4)).toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> reply(out, "250-bench-sink\r\n250 8BITMIME");
                    case "HELO", "NOOP" -> reply(out, "250 OK");
                    case "MAIL", "RSET" -> {
                        recipients = new ArrayList<>();
                        reply(out, "250 OK");
                    }
                    case "RCPT" -> {
                        int open = line.indexOf('<');
                        int close = line.indexOf('>', open + 1);
                        recipients.add(open >= 0 && close > open ? line.substring(open + 1, close).toLowerCase(Locale.ROOT) : line.substring(8).strip());
                        reply(out, "250 OK");
                    }
                    case "DATA" -> {
                        reply(out, "354 End data with <CR><LF>.<CR><LF>");
                        byte[] data = data(in);
                        received.add(new Received(System.nanoTime(), List.copyOf(recipients), data));
                        recipients = new ArrayList<>();
                        reply(out, "250 OK");
                    }
                    case "QUIT" -> {
                        reply(out, "221 Bye");
                        return;
                    }
                    default -> reply(out, "502 Command not implemented");
                }
            }
        } catch (IOException e) {
            // The client went away (or the sink closed): nothing to keep of an unfinished message.
        }
    }

    /** The message's lines up to the lone ".", dots unstuffed, CRLF between lines. */
    private static byte[] data(InputStream in) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        for (String line = line(in); line != null; line = line(in)) {
            if (line.equals(".")) {
                return message.toByteArray();
            }
            message.writeBytes((line.startsWith(".") ? line.substring(1) : line).getBytes(StandardCharsets.ISO_8859_1));
            message.writeBytes(new byte[] {'\r', '\n'});
            if (message.size() > MAX_MESSAGE) {
                throw new IOException("message over " + MAX_MESSAGE + " bytes");
            }
        }
        throw new IOException("connection closed inside DATA");
    }

    /** A line without its CRLF (bytes as ISO-8859-1, so none is lost), or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                int end = line.length();
                return line.substring(0, end > 0 && line.charAt(end - 1) == '\r' ? end - 1 : end);
            }
            if (line.length() >= MAX_LINE) {
                throw new IOException("line over " + MAX_LINE + " bytes");
            }
            line.append((char) b);
        }
        return null;
    }

    private static void reply(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        synchronized (connections) {
            for (Socket socket : connections) {
                socket.close();
            }
        }
    }
}
