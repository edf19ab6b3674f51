//! Time per argon2id hash at the service's parameters, one at a time and under a burst
//! (the service runs one fewer hash at once than the cores, at least one). `cargo bench -p account-server`.

use std::time::{Duration, Instant};

use account_server::secrets::{generate_password, PasswordHasher};

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let hasher = PasswordHasher::new();
        let password = generate_password();
        let phc = hasher.hash(&password).await.unwrap();

        let mut times = Vec::new();
        for _ in 0..30 {
            let start = Instant::now();
            assert!(hasher.verify(password.expose(), &phc).await.unwrap());
            times.push(start.elapsed());
        }
        times.sort();
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        println!(
            "argon2id m=19456 KiB t=2 p=1, one at a time: mean {:.1} ms, min {:.1} ms, max {:.1} ms ({} verifications)",
            ms(mean),
            ms(times[0]),
            ms(times[times.len() - 1]),
            times.len()
        );

        let burst = 40;
        let start = Instant::now();
        let tasks: Vec<_> = (0..burst)
            .map(|_| {
                let hasher = hasher.clone();
                let phc = phc.clone();
                let typed = password.expose().to_owned();
                tokio::spawn(async move { hasher.verify(&typed, &phc).await.unwrap() })
            })
            .collect();
        for task in tasks {
            assert!(task.await.unwrap());
        }
        let elapsed = start.elapsed();
        println!(
            "burst of {burst} concurrent verifications: {:.0} ms in all, {:.1} per second",
            ms(elapsed),
            burst as f64 / elapsed.as_secs_f64()
        );
    });
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
