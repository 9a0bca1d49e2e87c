package dev.incidentengine.deploy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

/** The formatted log lines of one logger (and its children) from a level up, while attached. */
final class CapturedLog extends AppenderBase<ILoggingEvent> {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private Logger logger;
    private Level previous;

    void attach(String name, Level level) {
        logger = (Logger) LoggerFactory.getLogger(name);
        previous = logger.getLevel();
        if (logger.getEffectiveLevel().toInt() > level.toInt()) {
            logger.setLevel(level);
        }
        setContext(logger.getLoggerContext());
        start();
        logger.addAppender(this);
    }

    void detach() {
        if (logger != null) {
            logger.detachAppender(this);
            logger.setLevel(previous);
            stop();
        }
    }

    List<String> messages() {
        return List.copyOf(lines);
    }

    @Override
    protected void append(ILoggingEvent event) {
        lines.add(event.getLoggerName() + " " + event.getLevel() + " " + event.getFormattedMessage()
                + (event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getClassName() + ": "
                + event.getThrowableProxy().getMessage()));
    }
}
