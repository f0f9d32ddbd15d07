package io.tagstream.launcher;

import io.tagstream.common.access.ApiTokens;
import io.tagstream.common.access.Role;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ./tagstream token new <name> <role>[,<role>…]}: a new API token for a bot, and the line for the
 * {@code tokens} key of the api-tokens secret. The token is printed once and stored nowhere; the line holds its hash.
 */
public final class Tokens {

    static final String USAGE = """
            usage: ./tagstream token new <name> <role>[,<role>…]
              roles: viewer (read), approver (approve/reject, read), signaler (signals only), admin (everything)
            prints the token (give it to the bot; it is not stored) and the line to add to the api-tokens secret's key 'tokens'
            """;

    private Tokens() {}

    public static void main(String[] args) {
        if (args.length != 3 || !args[0].equals("new")) {
            System.err.print(USAGE);
            System.exit(args.length == 1 && args[0].equals("--help") ? 0 : 2);
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String r : args[2].split(",")) {
            Optional<Role> role = Role.parse(r);
            if (role.isEmpty()) {
                System.err.println("tagstream token: '" + r + "' is not a role");
                System.err.print(USAGE);
                System.exit(2);
            }
            roles.add(role.get());
        }
        String token = ApiTokens.generate();
        String line = ApiTokens.line(args[1], token, roles);
        if (!ApiTokens.parse(line).problems().isEmpty()) {
            System.err.println("tagstream token: " + ApiTokens.parse(line).problems().get(0));
            System.exit(2);
        }
        System.out.println("token (give it to " + args[1] + "; shown once, stored nowhere): " + token);
        System.out.println("line for the api-tokens secret, key 'tokens':");
        System.out.println(line);
    }
}
