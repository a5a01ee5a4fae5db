/// The fixed inputs every engine in the benchmark embeds (tools/bench/embed/bench_reference.py
/// carries the same lists; keep them in step).
enum BenchmarkInputs {
    /// Questions of 10 to 20 words, as employees ask them.
    static let questions = [
        "How many days can I work from abroad without asking my manager first?",
        "Who approves expenses over five thousand dollars for a team offsite next month?",
        "What is the parental leave policy for adoptive parents living in Germany?",
        "Can I contribute to my retirement plan while I am on unpaid leave?",
        "How do I report sick leave if I fall ill while travelling for work?",
        "Is there a budget for home office equipment when I work remotely full time?",
        "What happens to my unused vacation days at the end of the calendar year?",
        "Do contractors need to follow the same security policy for personal laptops as employees?",
        "How long does the company keep my personal data after I leave?",
        "Which hotels can I book on a business trip and what is the nightly limit?",
    ]

    /// One policy passage, repeated; each chunk is this text cut to the model's 256 tokens.
    static let chunk = String(repeating: """
        Employees may work remotely from another country for up to twenty working days in any twelve-month period, \
        provided that their manager approves the request in writing at least two weeks in advance, that the destination \
        is not subject to sanctions, and that the employee remains reachable during core hours. Expenses incurred while \
        abroad are reimbursed under the travel policy, section 4.2, only when the trip was requested by the company. 
        """, count: 4)
}
