package dev.cohort.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Nothing is lost silently: a crash is logged with the process's name or pid and the reason. */
class CrashLogTest {
    private final Node node = Node.builder().name("gotham@127.0.0.1").build();
    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.cohort.process");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    @BeforeEach
    void attach() {
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(appender);
        logger.setLevel(null);
        logger.setAdditive(true);
        node.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void crashIsLoggedWithNameAndReason() {
        Pid pid = node.spawn(self -> {
            self.register("joker");
            self.receive();
            throw new IllegalStateException("why so serious");
        });
        await().until(() -> node.whereis("joker") != null);
        node.send(pid, "go");
        await().until(() -> appender.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR));
        ILoggingEvent e = appender.list.stream().filter(x -> x.getLevel() == Level.ERROR).findFirst().orElseThrow();
        assertThat(e.getFormattedMessage()).contains("joker", pid.toString(), "why so serious");
        assertThat(e.getThrowableProxy().getClassName()).isEqualTo(IllegalStateException.class.getName());
    }

    @Test
    void normalExitsAndKillsAreNotReportedAsCrashes() {
        Pid a = node.spawn(self -> {});
        Pid b = node.spawn(self -> self.receive());
        node.exit(b, ExitReason.KILL);
        await().until(() -> !node.isAlive(a) && !node.isAlive(b));
        Pid c = node.spawn(self -> { throw self.exit(ExitReason.of("odd")); });
        await().until(() -> appender.list.stream().anyMatch(e -> e.getFormattedMessage().contains(c.toString())));
        assertThat(appender.list).noneMatch(e -> e.getLevel() == Level.ERROR);
        assertThat(appender.list).anyMatch(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("odd"));
    }
}
