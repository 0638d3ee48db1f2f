//! The bundled vocabularies' binary form, read at load time instead of tiktoken's text: for each
//! rank from 0 up, one length byte then the token's bytes (length 0: no token has this rank).
//! It is less than half the size of the base64 text and needs no decoding, which makes loading an
//! encoding markedly faster. `builtin`'s tests check that each list holds exactly the tokens of
//! tiktoken's file (whose sha256 tiktoken expects), and regenerate it on request.

use super::vocab::Rank;
use crate::error::{Error, Result};
use std::path::PathBuf;

/// Calls `visit` with each token of a token list and its rank; `source` names the list in errors.
pub(crate) fn for_each_listed_token(
    list: &[u8],
    source: &str,
    mut visit: impl FnMut(&[u8], Rank) -> Result<()>,
) -> Result<()> {
    let mut at = 0;
    let mut rank: Rank = 0;
    while let Some(&len) = list.get(at) {
        let token = list
            .get(at + 1..at + 1 + usize::from(len))
            .ok_or_else(|| Error::Corrupt {
                path: PathBuf::from(source),
                source: std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("token list cut short in the token of rank {rank}"),
                ),
            })?;
        if !token.is_empty() {
            visit(token, rank)?;
        }
        at += 1 + usize::from(len);
        rank += 1;
    }
    Ok(())
}

/// The token list of `tokens`: every token at most 255 bytes long, no rank twice.
#[cfg(test)]
pub(crate) fn list_tokens(tokens: &[(Vec<u8>, Rank)]) -> Vec<u8> {
    let mut by_rank: Vec<Option<&[u8]>> = Vec::new();
    for (token, rank) in tokens {
        let rank = *rank as usize;
        if by_rank.len() <= rank {
            by_rank.resize(rank + 1, None);
        }
        assert!(by_rank[rank].is_none(), "rank {rank} twice");
        assert!(!token.is_empty(), "an empty token");
        by_rank[rank] = Some(token);
    }
    let mut list = Vec::new();
    for token in by_rank {
        let token = token.unwrap_or_default();
        list.push(u8::try_from(token.len()).expect("a token over 255 bytes"));
        list.extend_from_slice(token);
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(list: &[u8]) -> Result<Vec<(Vec<u8>, Rank)>> {
        let mut tokens = Vec::new();
        for_each_listed_token(list, "x.tokens", |token, rank| {
            tokens.push((token.to_vec(), rank));
            Ok(())
        })?;
        Ok(tokens)
    }

    #[test]
    fn lists_round_trip_with_gaps_in_the_ranks() {
        let tokens = vec![
            (b"a".to_vec(), 0),
            (b"hello".to_vec(), 1),
            (vec![0xff; 255], 3),
        ];
        let list = list_tokens(&tokens);
        assert_eq!(&list[..9], b"\x01a\x05hello\x00");
        assert_eq!(read(&list).unwrap(), tokens);
        assert_eq!(read(b"").unwrap(), []);
    }

    #[test]
    fn a_cut_list_is_corrupt() {
        let err = read(b"\x01a\x05hel").unwrap_err();
        assert!(matches!(err, Error::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("rank 1"), "{err}");
    }
}
