package io.tagstream.promoter.core;

import io.tagstream.common.access.Identity;
import io.tagstream.common.access.Role;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who a chat user is to Tagstream: one line per user, {@code <user> <identity> <role>[,<role>…] [<group>[,<group>…]]},
 * where {@code <user>} is Slack's user id ({@code U024BE7LH}) or team and user ({@code T0001/U024BE7LH}),
 * {@code <identity>} what decisions are recorded as ({@code user:alice}), the roles are the API's, and the groups
 * (optional) are what an ImagePromotion's {@code approvers.groups} are matched against, as an OIDC token's groups are. A user no line names is nobody: a
 * button press of theirs is refused. Blank lines and {@code #} comments are skipped; a malformed line is a problem
 * naming its number, and is not used.
 */
public final class ChatUsers {

    private static final Pattern USER = Pattern.compile("(T[A-Z0-9]{1,20}/)?[UW][A-Z0-9]{1,20}");
    private static final Pattern IDENTITY = Pattern.compile("(user|token):[^\\s]{1,200}");

    private final Map<String, Identity> users;
    private final List<String> problems;

    private ChatUsers(Map<String, Identity> users, List<String> problems) {
        this.users = users;
        this.problems = problems;
    }

    public static ChatUsers parse(String text) {
        Map<String, Identity> users = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length < 3 || f.length > 4 || !USER.matcher(f[0]).matches() || !IDENTITY.matcher(f[1]).matches()) {
                problems.add("line " + (i + 1) + ": expected '<slack user id> <user:name> <role>[,<role>] [<group>[,<group>]]',"
                        + " e.g. 'U024BE7LH user:alice approver release-managers'");
                continue;
            }
            int number = i + 1;
            Role.Parsed roles = Role.parseAll(f[2]);
            roles.unknown().forEach(r -> problems.add("line " + number + ": unknown role '" + r + "' (viewer, approver, signaler, admin)"));
            if (roles.unknown().isEmpty()) {
                Set<String> groups = f.length == 4 ? Set.of(f[3].split(",")) : Set.of();
                users.put(f[0], new Identity(f[1], groups, roles.roles(), f[1].startsWith("token:") ? Identity.Kind.TOKEN : Identity.Kind.USER));
            }
        }
        return new ChatUsers(users, List.copyOf(problems));
    }

    /** The identity of a chat user: by team and user first, then by user id alone. */
    public Optional<Identity> of(String team, String user) {
        return Optional.ofNullable(users.get(team + "/" + user)).or(() -> Optional.ofNullable(users.get(user)));
    }

    public List<String> problems() {
        return problems;
    }

    public int size() {
        return users.size();
    }
}
