import Testing
@testable import ExpressionRecognition
