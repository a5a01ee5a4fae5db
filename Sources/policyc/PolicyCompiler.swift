import ArgumentParser

/// `policyc`: builds the policy index artifact, shows what is in one, embeds texts for debugging,
/// and evaluates search on gold questions.
@main
struct PolicyCompiler: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policyc",
        abstract: "Compile policy documents into a policy index, and inspect how texts are embedded.",
        discussion: """
            Exit codes:
              0   success
              1   the command failed (the message says what and where)
              64  invalid command-line usage
            """,
        subcommands: [BuildCommand.self, InspectCommand.self, EmbedCommand.self, EvalCommand.self]
    )
}
