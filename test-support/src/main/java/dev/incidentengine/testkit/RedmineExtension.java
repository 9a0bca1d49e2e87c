package dev.incidentengine.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** Skips or fails where Redmine is missing, and shares one {@link RedmineServer} per test JVM. See {@link WithRedmine}. */
public final class RedmineExtension implements ExecutionCondition, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RedmineExtension.class);

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String missing = RedmineServer.missing();
        if (missing == null || "1".equals(System.getenv(RedmineServer.REQUIRED_ENV))) {
            // Where Redmine is required but missing, the server's start fails the tests with the same reason.
            return ConditionEvaluationResult.enabled("Redmine is required or installed");
        }
        return ConditionEvaluationResult.disabled(missing + "; set " + RedmineServer.REQUIRED_ENV + "=1 to fail instead of skipping");
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RedmineServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(RedmineServer.class, type -> {
            try {
                // Under the module's target/: its database and log stay for a look after a failure, until the next clean.
                Path target = Files.createDirectories(Path.of("target"));
                return RedmineServer.start(Files.createTempDirectory(target, "redmine-"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, RedmineServer.class);
    }
}
