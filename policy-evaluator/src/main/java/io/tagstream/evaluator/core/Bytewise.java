package io.tagstream.evaluator.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Go's string order: by UTF-8 bytes. For the ASCII that OCI tags are made of, that is plain char order. */
final class Bytewise {

    private Bytewise() {}

    static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                if (x < 0x80 && y < 0x80) {
                    return x - y;
                }
                return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
            }
        }
        return a.length() - b.length();
    }
}
