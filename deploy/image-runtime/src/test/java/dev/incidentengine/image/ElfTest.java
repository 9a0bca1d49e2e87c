package dev.incidentengine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Reads this JVM's own ELF files; on Linux only (elsewhere there are none). */
class ElfTest {

    private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));

    @Test
    void readsTheLauncher_itsInterpreterAndItsLibraries() throws IOException {
        assumeTrue(System.getProperty("os.name").equals("Linux"), "ELF files on Linux only");
        Elf java = Elf.parse(Files.readAllBytes(JAVA_HOME.resolve("bin/java")));

        assertThat(java.machine()).isIn(Elf.EM_X86_64, Elf.EM_AARCH64);
        assertThat(java.interpreter()).hasValueSatisfying(interpreter -> assertThat(Path.of(interpreter)).exists());
        assertThat(java.needed()).contains("libjli.so", "libc.so.6");
    }

    @Test
    void aSharedLibraryHasNoInterpreter() throws IOException {
        assumeTrue(System.getProperty("os.name").equals("Linux"), "ELF files on Linux only");
        Elf jvm = Elf.parse(Files.readAllBytes(JAVA_HOME.resolve("lib/server/libjvm.so")));

        assertThat(jvm.interpreter()).isEmpty();
        assertThat(jvm.needed()).contains("libc.so.6").doesNotHaveDuplicates();
    }

    @Test
    void refusesWhatIsNotElf() {
        assertThatThrownBy(() -> Elf.parse("#!/bin/sh\necho not a binary, just a script of enough bytes to fill a header...\n".getBytes()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an ELF file");
    }
}
