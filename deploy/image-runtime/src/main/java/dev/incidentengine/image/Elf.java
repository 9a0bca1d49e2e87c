package dev.incidentengine.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the dynamic loader needs to know about a 64-bit little-endian ELF file: its machine, its
 * interpreter ({@code PT_INTERP}) and the libraries it needs ({@code DT_NEEDED}), read from the
 * program headers and the dynamic section, so the image's libraries are found without {@code ldd}.
 */
record Elf(int machine, Optional<String> interpreter, List<String> needed) {

    static final int EM_X86_64 = 62;
    static final int EM_AARCH64 = 183;

    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int PT_INTERP = 3;
    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;

    static boolean isElf(byte[] bytes) {
        return bytes.length >= 64 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
    }

    static Elf parse(byte[] bytes) {
        if (!isElf(bytes)) {
            throw new IllegalArgumentException("not an ELF file");
        }
        if (bytes[4] != 2 || bytes[5] != 1) {
            throw new IllegalArgumentException("not a 64-bit little-endian ELF file");
        }
        ByteBuffer elf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int machine = Short.toUnsignedInt(elf.getShort(18));
        long phoff = elf.getLong(32);
        int phentsize = Short.toUnsignedInt(elf.getShort(54));
        int phnum = Short.toUnsignedInt(elf.getShort(56));

        List<long[]> loads = new ArrayList<>(); // {vaddr, offset, filesz}
        String interpreter = null;
        long dynamicOffset = -1;
        long dynamicSize = 0;
        for (int i = 0; i < phnum; i++) {
            int ph = Math.toIntExact(phoff + (long) i * phentsize);
            int type = elf.getInt(ph);
            long offset = elf.getLong(ph + 8);
            long vaddr = elf.getLong(ph + 16);
            long filesz = elf.getLong(ph + 32);
            switch (type) {
                case PT_LOAD -> loads.add(new long[] {vaddr, offset, filesz});
                case PT_DYNAMIC -> {
                    dynamicOffset = offset;
                    dynamicSize = filesz;
                }
                case PT_INTERP -> interpreter = string(bytes, Math.toIntExact(offset));
                default -> { }
            }
        }
        List<String> needed = new ArrayList<>();
        if (dynamicOffset >= 0) {
            List<Long> neededOffsets = new ArrayList<>();
            long strtab = -1;
            for (long entry = dynamicOffset; entry + 16 <= dynamicOffset + dynamicSize; entry += 16) {
                long tag = elf.getLong(Math.toIntExact(entry));
                long value = elf.getLong(Math.toIntExact(entry + 8));
                if (tag == DT_NULL) {
                    break;
                } else if (tag == DT_NEEDED) {
                    neededOffsets.add(value);
                } else if (tag == DT_STRTAB) {
                    strtab = value;
                }
            }
            if (!neededOffsets.isEmpty()) {
                long strtabOffset = fileOffset(loads, strtab);
                for (long nameOffset : neededOffsets) {
                    needed.add(string(bytes, Math.toIntExact(strtabOffset + nameOffset)));
                }
            }
        }
        return new Elf(machine, Optional.ofNullable(interpreter), List.copyOf(needed));
    }

    /** The dynamic section names its string table by virtual address: find it in the file through the loaded segments. */
    private static long fileOffset(List<long[]> loads, long vaddr) {
        for (long[] load : loads) {
            if (vaddr >= load[0] && vaddr < load[0] + load[2]) {
                return vaddr - load[0] + load[1];
            }
        }
        throw new IllegalArgumentException("DT_STRTAB 0x" + Long.toHexString(vaddr) + " is in no loaded segment");
    }

    private static String string(byte[] bytes, int offset) {
        int end = offset;
        while (bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, StandardCharsets.US_ASCII);
    }
}
