package dev.incidentengine.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that talks to a real Redmine: parameters of type {@link RedmineServer} are resolved to the one server of this
 * test JVM, started on first use and stopped when the test plan ends. Where Redmine is not installed the class is skipped,
 * saying how to install it, so a build with only a JDK passes; with {@code REDMINE_REQUIRED=1} (CI sets it) it fails instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RedmineExtension.class)
public @interface WithRedmine {
}
