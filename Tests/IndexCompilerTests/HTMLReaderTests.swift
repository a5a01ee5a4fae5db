import Testing
@testable import IndexCompiler

@Suite struct HTMLReaderTests {
    @Test func entitiesDecodeNamedAndNumericForms() {
        #expect(HTMLEntities.decode("&amp;&lt;&gt;&quot;&apos;&nbsp;&hellip;&rsquo;&lsquo;&reg;&euro;&pound;&ndash;".unicodeScalars)
                == "&<>\"'\u{00A0}…’‘®€£–")
        #expect(HTMLEntities.decode("&#65;&#x42;&#X43;&#68 &#0;&#xD800;&nosuch; & &amp".unicodeScalars)
                == "ABCD \u{FFFD}\u{FFFD}&nosuch; & &amp")
    }

    @Test func tokensCarryScalarRangesAndLowercasedNames() {
        let html = "é<P Class=\"a&amp;b\" hidden>x</p><!-- c --><br/>"
        #expect(HTMLTokenizer.tokenize(Array(html.unicodeScalars)) == [
            .text(0..<1),
            .startTag(name: "p", attributes: ["class": "a&b", "hidden": ""], isSelfClosing: false, range: 1..<27),
            .text(27..<28),
            .endTag(name: "p", range: 28..<32),
            .startTag(name: "br", attributes: [:], isSelfClosing: true, range: 42..<47),
        ])
    }

    @Test func scriptAndStyleContentIsSkippedUpToTheirOwnEndTag() {
        let html = "<script>if (a < b) { x = '</p>' }</script><style>p{}</style>"
        #expect(HTMLTokenizer.tokenize(Array(html.unicodeScalars)).map(\.name) == ["script", "/script", "style", "/style"])
    }

    @Test func implicitlyClosedElementsEndAtTheirLastChild() {
        let html = "<ul><li>one<li>two</ul>"
        let scalars = Array(html.unicodeScalars)
        let tree = HTMLTree(tokens: HTMLTokenizer.tokenize(scalars), scalarCount: scalars.count)
        let items = tree.elements.filter { $0.name == "li" }
        #expect(items.map(\.range) == [4..<11, 11..<18])
        #expect(tree.elements.first { $0.name == "ul" }?.range == 0..<23)
    }
}

extension HTMLToken {
    /// The tag name ("/p" for an end tag), or "#text".
    var name: String {
        switch self {
        case .startTag(let name, _, _, _): name
        case .endTag(let name, _): "/" + name
        case .text: "#text"
        }
    }
}
