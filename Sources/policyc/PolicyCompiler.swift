import ArgumentParser

/// `policyc`: builds the policy index artifact. For now it has one subcommand, `embed`.
@main
struct PolicyCompiler: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policyc",
        abstract: "Compile policy documents into a policy index, and inspect how texts are embedded.",
        discussion: """
            Exit codes:
              0   success
              1   the model folder could not be loaded (the message says what and where)
              64  invalid command-line usage
            """,
        subcommands: [EmbedCommand.self]
    )
}
